import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import {
  type Answer,
  adminToken,
  callResource,
  clientCredentialsRequest,
  clientCredentialsToken,
  createClient,
  createUser,
  demoClient,
  demoPassword,
  passwordLogin,
  passwordRequest,
} from '../support/cluster-http.js';
import {
  type AuthInstance,
  type Cluster,
  type ResourceInstance,
  startCluster,
} from '../support/multi-instance-cluster.js';

const TOKEN_PER_CLIENT = 6;
const LOCKOUT_THRESHOLD = 3;
const PER_SUBJECT = 5;

/**
 * Issue 5's "limits hold across instances" with the built servers as processes: two auth servers and two
 * resource servers count in one Redis (this test's own redis-server), so a budget spent through one
 * instance is spent at the other; the password lockout lives in PostgreSQL and outlives a Redis restart.
 * The auth servers trust X-Forwarded-For (TRUST_PROXY), so a test can speak from an address of its own.
 */
describe('rate limits across two auth servers and two resource servers (processes)', () => {
  let redis: OwnRedisServer;
  let cluster: Cluster;
  let authA: AuthInstance;
  let authB: AuthInstance;
  let admin: string;

  beforeAll(async () => {
    redis = await ownRedisServer();
    await redis.start();
    cluster = await startCluster({
      redisUrl: redis.url,
      authEnv: {
        RATE_LIMIT_TOKEN_PER_CLIENT: String(TOKEN_PER_CLIENT),
        LOGIN_LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD),
        TRUST_PROXY: 'true',
      },
      resourceEnv: { RATE_LIMIT_PER_SUBJECT: String(PER_SUBJECT) },
    });
    [authA, authB] = cluster.auth as [AuthInstance, AuthInstance];
    admin = await adminToken(authA, cluster.credentials);
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    await redis?.kill();
  }, 30_000);

  /** RateLimit-Policy, RateLimit and Retry-After of a 429 from `policy`; resolves with Retry-After. */
  const expectLimited = (answer: Answer, policy: string, quota: number): number => {
    expect(answer.status).toBe(429);
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(answer.headers.get('ratelimit-policy')).toContain(`"${policy}";q=${quota};w=60`);
    expect(answer.headers.get('ratelimit')).toContain(`"${policy}";r=0;t=${retryAfter}`);
    return retryAfter;
  };

  it('one budget per client across auth servers: the request over it answers 429 whichever server gets it', async () => {
    const client = await createClient(authA, admin, {
      id: 'budgeted-service',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
    for (let spent = 1; spent <= TOKEN_PER_CLIENT; spent += 1) {
      const answer = await clientCredentialsRequest(spent % 2 ? authA : authB, client, 'items:read');
      expect(answer.status).toBe(200);
      // One counter: what A spent, B sees.
      expect(answer.headers.get('ratelimit')).toMatch(
        new RegExp(`"token-client";r=${TOKEN_PER_CLIENT - spent};t=\\d+$`),
      );
    }
    for (const instance of [authA, authB]) {
      const refused = await clientCredentialsRequest(instance, client, 'items:read');
      expectLimited(refused, 'token-client', TOKEN_PER_CLIENT);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      // RFC 6749 §5.2 shape: the token endpoint's own error format, not a problem document.
      expect(refused.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.stringMatching(/^too many requests; retry after \d+ s$/),
      });
    }
    // Another client's budget is its own.
    const other = await clientCredentialsRequest(
      authB,
      demoClient(cluster.credentials, 'demo-service'),
      'items:read',
    );
    expect(other.status).toBe(200);
  }, 30_000);

  it('one budget per subject across resource servers, per route', async () => {
    const [first, second] = cluster.resource as [ResourceInstance, ResourceInstance];
    const service = await clientCredentialsToken(
      authA,
      demoClient(cluster.credentials, 'demo-service'),
      'items:read',
    );
    for (let spent = 1; spent <= PER_SUBJECT; spent += 1) {
      const answer = await callResource(spent % 2 ? first : second, service);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit')).toMatch(
        new RegExp(`^"subject";r=${PER_SUBJECT - spent};t=\\d+$`),
      );
    }
    for (const server of [first, second]) {
      const refused = await callResource(server, service);
      expectLimited(refused, 'subject', PER_SUBJECT);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    }
    // Another subject, and another route of the same subject, have budgets of their own.
    const bob = await passwordLogin(
      authB,
      demoClient(cluster.credentials, 'demo-web'),
      'bob',
      demoPassword(cluster.credentials, 'bob'),
    );
    expect((await callResource(second, bob.accessToken)).status).toBe(200);
    expect((await callResource(first, service, '/items')).status).toBe(200);
  }, 30_000);

  it('password lockout: failures through one auth server lock the username at the other, through a Redis restart', async () => {
    const user = { username: 'lockout-target', password: 'the right password, at last' };
    await createUser(authA, admin, user);
    // Two clients, so that neither runs into its token budget: the lock is on username and address.
    const attacker = await createClient(authA, admin, {
      id: 'lockout-web-a',
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: true,
    });
    const victim = await createClient(authA, admin, {
      id: 'lockout-web-b',
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: true,
    });
    const from = { 'x-forwarded-for': '198.51.100.7' };
    const wrong = async () => {
      const answer = await passwordRequest(authA, attacker, { ...user, password: 'a wrong guess' }, from);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_grant' });
    };

    // The threshold locks for 1 s; each later failure doubles it. Waiting out the first two locks (a lower
    // bound, never too short) leaves a 4 s lock: room enough for a restart of Redis.
    for (let failure = 1; failure <= LOCKOUT_THRESHOLD; failure += 1) await wrong();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await wrong();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await wrong();

    const refused = await passwordRequest(authB, victim, user, from);
    const retryAfter = expectLockedOut(refused);
    expect(retryAfter).toBeLessThanOrEqual(4);

    // The lock is in PostgreSQL: Redis restarted empty does not lift it.
    await redis.kill();
    await redis.start();
    expectLockedOut(await passwordRequest(authB, victim, user, from));

    // Another address is not locked out: an attacker cannot lock the real user out everywhere.
    const elsewhere = await passwordRequest(authA, victim, user, { 'x-forwarded-for': '198.51.100.8' });
    expect(elsewhere.status).toBe(200);
  }, 30_000);
});

/** The password grant's 429 for a locked username: Retry-After and an RFC 6749 body; resolves with Retry-After. */
function expectLockedOut(answer: Answer): number {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.body).toEqual({
    error: 'temporarily_unavailable',
    error_description: 'too many login attempts; retry later',
  });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  return retryAfter;
}
