import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { authorizationChangeChannel } from '../../src/oidc/authorization-cache-invalidation.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

/** Polls until `condition` holds; a generous bound, not a timing expectation. */
async function eventually(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const clientCredentials = (server: TestAuthServer, id: string) =>
  server.token({ grant_type: 'client_credentials', scope: 'items:read' }, { id, secret: `${id}-secret` });

/**
 * Token requests read the client record and the roles/permissions they carry from a process-local cache
 * (issue 7). Two auth servers of one deployment share PostgreSQL and Redis: an admin change made through
 * either clears both caches before the admin API answers, and the cache TTL bounds a lost message.
 */
describe('auth server: authorization caches across two instances', () => {
  const layout = uniqueLayout();
  let first: TestAuthServer;
  let second: TestAuthServer;
  let redis: Redis;
  let adminToken: string;

  beforeAll(async () => {
    // An hour: within a test only an invalidation (or a restart) can make an instance read PostgreSQL again.
    const overrides = {
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      AUTHORIZATION_CACHE_TTL_SECONDS: '3600',
    };
    first = await startTestAuthServer(overrides);
    second = await startTestAuthServer(overrides, { sameDeploymentAs: first });
    await addStandardRoles(first.prisma);
    redis = await connectedClient();
    const channel = authorizationChangeChannel(layout.keyPrefix);
    // Both caches are on only once both instances listen for invalidations.
    await eventually(async () => {
      const [, listeners] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(listeners) === 2;
    }, 'both instances subscribed');
    adminToken = await adminTokenWith(first, [...ADMIN_PERMISSIONS]);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  async function addServiceClient(roles: string[] = ['viewer']): Promise<string> {
    const id = `svc-${randomUUID()}`;
    await first.addClient({
      id,
      secret: `${id}-secret`,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      roles,
    });
    return id;
  }

  it('serves the client from the cache: a change behind the admin API is not seen until announced', async () => {
    const id = await addServiceClient();
    expect((await clientCredentials(second, id)).status).toBe(200);
    await first.prisma.client.update({ where: { id }, data: { disabled: true } });
    // Cached on the second instance: still issued (what the admin API's announcement exists for).
    expect((await clientCredentials(second, id)).status).toBe(200);
    await first.container.announceAuthorizationChange({ kind: 'client', id });
    expect((await clientCredentials(second, id)).status).toBe(401);
  });

  it('refuses a client disabled through one instance on the other, as soon as the admin API answered', async () => {
    const id = await addServiceClient();
    for (const server of [first, second]) expect((await clientCredentials(server, id)).status).toBe(200);
    const answer = await adminRequest(first, `/clients/${id}`, adminToken, {
      method: 'PATCH',
      body: { disabled: true },
    });
    expect(answer.status).toBe(200);
    for (const server of [second, first]) {
      const refused = await clientCredentials(server, id);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
    }
  });

  it('refuses a deleted client and the old secret after a rotation, on the other instance', async () => {
    const deleted = await addServiceClient();
    const rotated = await addServiceClient();
    for (const id of [deleted, rotated]) expect((await clientCredentials(second, id)).status).toBe(200);
    expect((await adminRequest(first, `/clients/${deleted}`, adminToken, { method: 'DELETE' })).status).toBe(
      204,
    );
    const rotation = await adminRequest(first, `/clients/${rotated}/secret`, adminToken, { method: 'POST' });
    expect(rotation.status).toBe(200);
    const { clientSecret } = (await rotation.json()) as { clientSecret: string };
    expect((await clientCredentials(second, deleted)).status).toBe(401);
    expect((await clientCredentials(second, rotated)).status).toBe(401);
    const withNewSecret = await second.token(
      { grant_type: 'client_credentials', scope: 'items:read' },
      { id: rotated, secret: clientSecret },
    );
    expect(withNewSecret.status).toBe(200);
  });

  it('puts a role change into the next token of every holder, on the other instance', async () => {
    const role = `role-${randomUUID()}`;
    const created = await adminRequest(first, '/roles', adminToken, {
      method: 'POST',
      body: { name: role, permissions: ['items:read'] },
    });
    expect(created.status).toBe(201);
    const id = await addServiceClient([role]);
    const claimsOf = async () => {
      const issued = await clientCredentials(second, id);
      return (await second.verifyAccessToken(issued.body.access_token as string)).payload;
    };
    expect(await claimsOf()).toMatchObject({ roles: [role], permissions: ['items:read'] });

    const changed = await adminRequest(first, `/roles/${role}`, adminToken, {
      method: 'PATCH',
      body: { permissions: ['items:read', 'items:write'] },
    });
    expect(changed.status).toBe(200);
    expect(await claimsOf()).toMatchObject({ permissions: ['items:read', 'items:write'] });

    const unassigned = await adminRequest(first, `/clients/${id}/roles/${role}`, adminToken, {
      method: 'DELETE',
    });
    expect(unassigned.status).toBe(200);
    expect(await claimsOf()).toMatchObject({ roles: [], permissions: [] });
  });

  it("puts a user's new role into the next password-grant token on the other instance, and refuses it once disabled", async () => {
    const appId = `app-${randomUUID()}`;
    await first.addClient({
      id: appId,
      secret: `${appId}-secret`,
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: true,
    });
    const username = `user-${randomUUID()}`;
    const userId = await first.addUser({ username, password: 'correct horse battery', roles: ['viewer'] });
    const rolesInToken = async () => {
      const issued = await second.token(
        { grant_type: 'password', username, password: 'correct horse battery', scope: 'items:read' },
        { id: appId, secret: `${appId}-secret` },
      );
      expect(issued.status).toBe(200);
      return (await second.verifyAccessToken(issued.body.access_token as string)).payload.roles;
    };
    expect(await rolesInToken()).toEqual(['viewer']);
    const assigned = await adminRequest(first, `/users/${userId}/roles`, adminToken, {
      method: 'POST',
      body: { roles: ['editor'] },
    });
    expect(assigned.status).toBe(200);
    expect(await rolesInToken()).toEqual(['editor', 'viewer']);

    const disabled = await adminRequest(first, `/users/${userId}`, adminToken, {
      method: 'PATCH',
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    const refused = await second.token(
      { grant_type: 'password', username, password: 'correct horse battery', scope: 'items:read' },
      { id: appId, secret: `${appId}-secret` },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
  });
});

describe('auth server: the authorization cache TTL bounds a lost invalidation', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    // No Redis: nothing but the TTL can end a cached record changed behind the admin API's back.
    server = await startTestAuthServer({ AUTHORIZATION_CACHE_TTL_SECONDS: '1' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reads the record again once the TTL has passed', async () => {
    const id = `svc-${randomUUID()}`;
    await server.addClient({
      id,
      secret: `${id}-secret`,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
    expect((await clientCredentials(server, id)).status).toBe(200);
    await server.prisma.client.update({ where: { id }, data: { disabled: true } });
    await eventually(async () => (await clientCredentials(server, id)).status === 401, 'the TTL to pass');
  });

  it('is off with a TTL of 0: a change behind the admin API shows at the next request', async () => {
    const uncached = await startTestAuthServer({ AUTHORIZATION_CACHE_TTL_SECONDS: '0' });
    try {
      const id = `svc-${randomUUID()}`;
      await uncached.addClient({
        id,
        secret: `${id}-secret`,
        grantTypes: ['client_credentials'],
        scopes: ['items:read'],
      });
      expect((await clientCredentials(uncached, id)).status).toBe(200);
      await uncached.prisma.client.update({ where: { id }, data: { disabled: true } });
      expect((await clientCredentials(uncached, id)).status).toBe(401);
    } finally {
      await uncached.close();
    }
  });
});
