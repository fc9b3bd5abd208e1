import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import {
  callWithApiKey,
  expectKeyStatusEverywhere,
  issueApiKey,
  rotateApiKey,
  waitForKeyStatusEverywhere,
} from '../support/api-key-http.js';
import { adminRequest, adminToken, createUser } from '../support/cluster-http.js';
import {
  type AuthInstance,
  type Cluster,
  type ResourceInstance,
  startCluster,
} from '../support/multi-instance-cluster.js';
import { PROPAGATION_BOUND_MS } from '../support/revocation-cluster.js';

/** A new key reaches every resource server well within this: a generous bound, never an expectation. */
const ARRIVAL_BOUND_MS = 10_000;
/** How far ahead the expiring key's expiresAt lies: time enough for it to reach both servers first. */
const EXPIRY_LEAD_MS = 8000;

/** What a service reading items asks for: the scope and the permission GET /items requires, nothing more. */
const reader = { scopes: ['items:read'], permissions: ['items:read'] };

/**
 * Issue 8's API keys with the built servers as separate processes: two auth servers answering for one
 * issuer and two resource servers on one database and a redis-server of the test's own, all sharing one
 * API_KEY_HASH_KEY. Keys are issued, rotated and revoked through the admin API and presented by a plain
 * HTTP client (fetch) in X-API-Key; every server must agree on each key, and a revoked, rotated-out or
 * expired key must stop everywhere.
 */
describe('API keys across two auth servers and two resource servers (processes)', () => {
  const hashKey = randomBytes(32).toString('base64url');
  let redis: OwnRedisServer;
  let cluster: Cluster;
  let authA: AuthInstance;
  let authB: AuthInstance;
  let resource: ResourceInstance[];
  let admin: string;

  /** A demo-service key with `reader`'s grant, issued through auth A, once every server accepts it. */
  const acceptedServiceKey = async (name: string) => {
    const issued = await issueApiKey(authA, admin, { name, owner: { client: 'demo-service' }, ...reader });
    await waitForKeyStatusEverywhere(resource, issued.key, 200, {
      timeoutMs: ARRIVAL_BOUND_MS,
      allowedBefore: [401],
    });
    return issued;
  };

  beforeAll(async () => {
    redis = await ownRedisServer();
    await redis.start();
    cluster = await startCluster({
      redisUrl: redis.url,
      authEnv: { API_KEY_HASH_KEY: hashKey },
      resourceEnv: {
        API_KEY_HASH_KEY: hashKey,
        // The tests poll one subject hundreds of times a minute; limits have their own test file.
        RATE_LIMIT_PER_SUBJECT: '1000000',
      },
    });
    [authA, authB] = cluster.auth as [AuthInstance, AuthInstance];
    resource = cluster.resource;
    admin = await adminToken(authA, cluster.credentials);
  }, 90_000);

  afterAll(async () => {
    await cluster?.close();
    await redis?.kill();
  }, 30_000);

  it('a service key reads items on both servers, and does nothing its grant or the route does not allow', async () => {
    const issued = await acceptedServiceKey('e2e reader');
    expect(issued.key).toMatch(/^pcl_[0-9a-f]{20}_[A-Za-z0-9_-]{43}$/);
    expect(issued.key.startsWith(`${issued.prefix}_`)).toBe(true);
    const wrongSecret = `${issued.prefix}_${randomBytes(32).toString('base64url')}`;

    for (const server of resource) {
      const listed = await callWithApiKey(server, issued.key, '/items');
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject({ items: expect.any(Array) });

      const created = await callWithApiKey(server, issued.key, '/items', {
        method: 'POST',
        body: { name: 'not allowed' },
      });
      expect(created.status).toBe(403);
      expect(created.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);

      // DELETE /items/:id takes access tokens only: a key there is refused, whatever item it names.
      const deleted = await callWithApiKey(server, issued.key, `/items/${randomUUID()}`, {
        method: 'DELETE',
      });
      expect(deleted.status).toBe(401);

      const guessed = await callWithApiKey(server, wrongSecret, '/items');
      expect(guessed.status).toBe(401);
      expect(guessed.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

      const me = await callWithApiKey(server, issued.key, '/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        kind: 'client',
        subject: 'demo-service',
        clientId: 'demo-service',
        scopes: ['items:read'],
        permissions: ['items:read'],
        tokenId: issued.id,
        credential: 'api_key',
      });
      expect(JSON.stringify(me.body)).not.toContain(issued.key);
    }
  }, 60_000);

  it("a user's key acts as that user on both servers", async () => {
    const password = randomBytes(18).toString('base64url');
    const userId = await createUser(authB, admin, { username: 'e2e-keyholder', password });
    const issued = await issueApiKey(authB, admin, {
      name: 'e2e user key',
      owner: { user: userId },
      scopes: ['items:read'],
      roles: ['viewer'],
    });
    await waitForKeyStatusEverywhere(resource, issued.key, 200, {
      timeoutMs: ARRIVAL_BOUND_MS,
      allowedBefore: [401],
    });
    for (const server of resource) {
      const me = await callWithApiKey(server, issued.key, '/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        kind: 'user',
        subject: userId,
        roles: ['viewer'],
        credential: 'api_key',
      });
    }
  }, 60_000);

  it('a key revoked through the other auth server is refused by both resource servers within the bound', async () => {
    const victim = await acceptedServiceKey('e2e victim');
    const bystander = await acceptedServiceKey('e2e bystander');

    const revoked = await adminRequest(authB, admin, `/api-keys/${victim.id}`, { method: 'DELETE' });
    const revokedAt = Date.now();
    expect(revoked.status).toBe(204);
    const refusedAt = await waitForKeyStatusEverywhere(resource, victim.key, 401, {
      timeoutMs: PROPAGATION_BOUND_MS,
      allowedBefore: [200],
    });

    const measured = Object.fromEntries(
      resource.map((server) => [server.name, (refusedAt[server.name] as number) - revokedAt]),
    );
    console.info(`API key revocation: ms from the 204 to the first 401, per resource server`, measured);
    for (const elapsed of Object.values(measured)) expect(elapsed).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
    await expectKeyStatusEverywhere(resource, victim.key, 401, '/me');
    await expectKeyStatusEverywhere(resource, bystander.key, 200);

    const shown = await adminRequest(authA, admin, `/api-keys/${victim.id}`);
    expect(shown.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
  }, 60_000);

  it('rotation without grace: the new key works everywhere and the old one nowhere', async () => {
    const old = await acceptedServiceKey('e2e rotated');
    const rotated = await rotateApiKey(authB, admin, old.id, 0);
    expect(rotated.id).not.toBe(old.id);
    expect(rotated).toMatchObject({ rotatedFromId: old.id, status: 'active' });

    await waitForKeyStatusEverywhere(resource, rotated.key, 200, {
      timeoutMs: ARRIVAL_BOUND_MS,
      allowedBefore: [401],
    });
    await waitForKeyStatusEverywhere(resource, old.key, 401, {
      timeoutMs: PROPAGATION_BOUND_MS,
      allowedBefore: [200],
    });
    await expectKeyStatusEverywhere(resource, rotated.key, 200);
  }, 60_000);

  it('a key stops working everywhere once its expiresAt has passed, and not before', async () => {
    // A whole second: the record carries the expiry in seconds, so the refusal moment is exactly expiresAt.
    const expiresAt = Math.ceil((Date.now() + EXPIRY_LEAD_MS) / 1000) * 1000;
    const issued = await issueApiKey(authA, admin, {
      name: 'e2e expiring',
      owner: { client: 'demo-service' },
      ...reader,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    await waitForKeyStatusEverywhere(resource, issued.key, 200, {
      timeoutMs: expiresAt - Date.now(),
      allowedBefore: [401],
    });
    const refusedAt = await waitForKeyStatusEverywhere(resource, issued.key, 401, {
      timeoutMs: expiresAt - Date.now() + PROPAGATION_BOUND_MS,
      allowedBefore: [200],
    });
    // An answer received before expiresAt was given before it: it must not have been a refusal.
    for (const server of resource) expect(refusedAt[server.name]).toBeGreaterThanOrEqual(expiresAt);

    const shown = await adminRequest(authB, admin, `/api-keys/${issued.id}`);
    expect(shown.body).toMatchObject({ status: 'expired', revokedAt: null });
  }, 60_000);
});
