import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { createTestSigningKey, forgeAccessToken } from '../../../../test/support/token-forge.js';
import { testResource } from '../../../auth-server/test/support/test-environment.js';
import {
  callResource,
  clientCredentialsToken,
  demoClient,
  demoPassword,
  passwordLogin,
} from '../support/cluster-http.js';
import {
  type AuthInstance,
  type Cluster,
  type ResourceInstance,
  startCluster,
  stopProcess,
} from '../support/multi-instance-cluster.js';

/** The resource server's key set turns stale after this: every request past it starts a background refresh. */
const JWKS_REFRESH_INTERVAL_SECONDS = 1;
/** How long each outage is watched: a few refresh intervals, so that refreshes are attempted and fail. */
const WATCH_MS = 3 * JWKS_REFRESH_INTERVAL_SECONDS * 1000;
/** The guard's JWKS fetch timeout (5 s, packages/guard) plus slack: "did not hang". */
const UNKNOWN_KID_BOUND_MS = 8000;

/**
 * The issue-6 fault "auth server down" with built processes: one auth server, one resource server (on the
 * shared PostgreSQL, a test database of its own, and a redis-server of the test's own). The auth server is
 * first hung (SIGSTOP: its port accepts connections and nothing answers), then stopped. Throughout, the
 * resource server keeps validating tokens issued before, from the keys it holds, without waiting on the
 * auth server; its readiness stays green (a stale key set counts as ready); and a token signed by a key it
 * has never seen is answered 503 + Retry-After (it may be a key rotated in meanwhile), never 200 and never
 * after a hang. The in-process test (test/integration/jwks-outage.test.ts) moves the clock over hours.
 */
describe('resource server while the auth server process is down', () => {
  let redis: OwnRedisServer;
  let cluster: Cluster;
  let auth: AuthInstance;
  let resource: ResourceInstance;
  let tokens: string[];

  beforeAll(async () => {
    redis = await ownRedisServer();
    await redis.start();
    cluster = await startCluster({
      redisUrl: redis.url,
      authServers: 1,
      resourceServers: 1,
      resourceEnv: {
        JWKS_REFRESH_INTERVAL_SECONDS: String(JWKS_REFRESH_INTERVAL_SECONDS),
        JWKS_UNKNOWN_KID_COOLDOWN_SECONDS: '1',
      },
    });
    [auth] = cluster.auth as [AuthInstance];
    [resource] = cluster.resource as [ResourceInstance];
    const { credentials } = cluster;
    const service = await clientCredentialsToken(auth, demoClient(credentials, 'demo-service'), 'items:read');
    const user = await passwordLogin(
      auth,
      demoClient(credentials, 'demo-web'),
      'carol',
      demoPassword(credentials, 'carol'),
    );
    tokens = [service, user.accessToken];
    for (const token of tokens) expect((await callResource(resource, token)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    auth?.process.child.kill('SIGCONT'); // a test that failed mid-pause must not leave the shutdown waiting
    await cluster?.close();
    await redis?.kill();
  }, 30_000);

  /** Every token issued before is accepted on every poll, on a route without and one with the database. */
  async function expectTokensAcceptedFor(durationMs: number): Promise<void> {
    const until = Date.now() + durationMs;
    let polls = 0;
    do {
      for (const token of tokens) {
        const [me, items] = [
          await callResource(resource, token),
          await callResource(resource, token, '/items'),
        ];
        expect([me.status, items.status]).toEqual([200, 200]);
      }
      polls += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < until);
    expect(polls).toBeGreaterThan(1);
  }

  async function expectReady(): Promise<void> {
    const ready = await callResource(resource, undefined, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ checks: { postgres: 'ok', jwks: 'ok', revocations: 'ok' } });
  }

  /** A well-formed token under a kid the resource server never saw: 503 + Retry-After, in bounded time. */
  async function expectUnknownKidUnavailable(): Promise<void> {
    const stranger = await createTestSigningKey('ES256');
    const forged = await forgeAccessToken(stranger, { issuer: cluster.issuer, audience: testResource });
    const startedAt = Date.now();
    const response = await fetch(`${resource.url}/me`, {
      headers: { authorization: `Bearer ${forged}` },
      signal: AbortSignal.timeout(UNKNOWN_KID_BOUND_MS),
    });
    await response.arrayBuffer();
    expect(Date.now() - startedAt).toBeLessThan(UNKNOWN_KID_BOUND_MS);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }

  it('hung (SIGSTOP): tokens keep validating without waiting on it, ready, unknown kids 503', async () => {
    auth.process.child.kill('SIGSTOP');
    try {
      await expectTokensAcceptedFor(WATCH_MS);
      await expectReady();
      await expectUnknownKidUnavailable();
      await expectTokensAcceptedFor(WATCH_MS);
    } finally {
      auth.process.child.kill('SIGCONT');
    }
  }, 30_000);

  it('stopped: tokens keep validating, ready, unknown kids 503; a forged signature under a known kid 401', async () => {
    expect(await stopProcess(auth.process)).toBe(0);
    await expectTokensAcceptedFor(WATCH_MS);
    await expectReady();
    await expectUnknownKidUnavailable();

    const impostor = await createTestSigningKey('ES256', decodeProtectedHeader(tokens[0]!).kid);
    const forged = await forgeAccessToken(impostor, { issuer: cluster.issuer, audience: testResource });
    const refused = await callResource(resource, forged);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  }, 30_000);
});
