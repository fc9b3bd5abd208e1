import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKeyRecordKey } from '@portcullis/api-keys';
import { findRevocation } from '@portcullis/db';
import { createRedisClient } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

/**
 * API keys with Redis down (issue 8): start-up does not fail, the admin API still issues and revokes (the
 * PostgreSQL side is what counts), and records reach Redis once it is back, without any request.
 */
describe('API key records while Redis is down (own redis-server)', () => {
  const keyPrefix = `portcullis-test:${randomUUID()}:`;
  let own: OwnRedisServer;
  let server: TestAuthServer;
  let admin: string;
  let observer: Redis | undefined;

  beforeAll(async () => {
    own = await ownRedisServer();
    // Nothing listens on the port yet.
    server = await startTestAuthServer({ REDIS_URL: own.url, REDIS_KEY_PREFIX: keyPrefix });
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
  }, 30_000);
  afterAll(async () => {
    observer?.disconnect();
    await server?.close();
    await own?.kill();
  });

  const issue = async (clientId: string) => {
    await server.addClient({
      id: clientId,
      secret: `${clientId}-s`,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
    const response = await adminRequest(server, '/api-keys', admin, {
      method: 'POST',
      body: { name: 'while down', owner: { client: clientId }, scopes: ['items:read'] },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; key: string };
  };

  it('issues and revokes with Redis down, then publishes every active record once Redis is back', async () => {
    const kept = await issue('svc-kept');
    const revoked = await issue('svc-revoked');
    const deleted = await adminRequest(server, `/api-keys/${revoked.id}`, admin, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await findRevocation(server.prisma, 'jti', revoked.id)).not.toBeNull();

    await own.start();
    observer = createRedisClient(own.url, { commandTimeoutMs: 1000 });
    await observer.connect();
    const client = observer;
    const deadline = Date.now() + 30_000;
    while (!(await client.get(apiKeyRecordKey(keyPrefix, kept.id))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await client.get(apiKeyRecordKey(keyPrefix, kept.id))).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
    expect(await client.get(apiKeyRecordKey(keyPrefix, revoked.id))).toBeNull();
  }, 40_000);
});
