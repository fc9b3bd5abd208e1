import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  API_KEY_RECORD_TYP,
  type ApiKeyRecordClaims,
  apiKeyDeletedMessage,
  apiKeyRecordKey,
  apiKeyRedisLayout,
  hashApiKey,
  parseApiKey,
  USER_API_KEY_CLIENT_ID,
} from '@portcullis/api-keys';
import { findRevocation, upsertRole } from '@portcullis/db';
import { parseRevocationEntry, revocationKey } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
  waitFor,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { otherResource, testResource } from '../support/test-environment.js';

type Json = Record<string, unknown>;

/** Issue 8: the admin API issues, lists, rotates and revokes API keys; the auth server publishes signed records. */
describe('admin API: API keys (real PostgreSQL and Redis)', () => {
  const { keyPrefix } = uniqueLayout();
  const { channel } = apiKeyRedisLayout(keyPrefix);
  let server: TestAuthServer;
  let admin: string;
  let redis: Redis;
  let subscriber: Redis;
  const messages: string[] = [];

  beforeAll(async () => {
    server = await startTestAuthServer({ REDIS_URL, REDIS_KEY_PREFIX: keyPrefix });
    await addStandardRoles(server.prisma);
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    redis = await connectedClient();
    subscriber = await connectedClient();
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) messages.push(message);
    });
    await subscriber.subscribe(channel);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    if (redis) await deleteKeys(redis, keyPrefix);
    redis?.disconnect();
    subscriber?.disconnect();
  });

  const call = (path: string, init: { method?: string; body?: unknown } = {}, token = admin) =>
    adminRequest(server, path, token, init);
  const json = async (response: Response) => (await response.json()) as Json;

  const addService = async (scopes = ['items:read', 'items:write'], extra: Json = {}) => {
    const id = `svc-${randomUUID().slice(0, 8)}`;
    await server.addClient({
      id,
      secret: `${id}-secret`,
      grantTypes: ['client_credentials'],
      scopes,
      ...extra,
    });
    return id;
  };
  const addPerson = (spec: { roles?: string[]; permissions?: string[]; disabled?: boolean } = {}) =>
    server.addUser({
      username: `user-${randomUUID().slice(0, 8)}`,
      password: 'a long enough password',
      ...spec,
    });

  const issue = async (body: Json): Promise<Json> => {
    const response = await call('/api-keys', {
      method: 'POST',
      body: { name: 'test key', scopes: [], ...body },
    });
    const answer = await json(response);
    expect({ status: response.status, answer }).toEqual({ status: 201, answer: expect.anything() });
    return answer;
  };
  const recordOf = (id: string) => redis.get(apiKeyRecordKey(keyPrefix, id));
  const verifyRecord = async (jws: string, audience = testResource) =>
    (
      await jwtVerify(jws, createLocalJWKSet(await server.jwks()), {
        issuer: server.config.issuer,
        audience,
        typ: API_KEY_RECORD_TYP,
        algorithms: ['ES256'],
      })
    ).payload as unknown as ApiKeyRecordClaims;
  /** Polls Redis until the record satisfies `accept` (records change asynchronously to the test). */
  const awaitRecord = async (
    id: string,
    audience: string,
    accept: (claims: ApiKeyRecordClaims) => boolean,
  ) => {
    let last: ApiKeyRecordClaims | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const jws = await recordOf(id);
      last = jws ? await verifyRecord(jws, audience).catch(() => undefined) : undefined;
      if (last && accept(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`record of ${id} never matched; last: ${JSON.stringify(last)}`);
  };

  it('issues a client key once: shown in the answer only, stored as its keyed hash, published signed', async () => {
    const clientId = await addService(['items:read', 'items:write'], { permissions: ['items:read'] });
    const response = await call('/api-keys', {
      method: 'POST',
      body: {
        name: 'nightly export',
        owner: { client: clientId },
        scopes: ['items:read'],
        permissions: ['items:read'],
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await json(response);
    const key = body.key as string;
    const parsed = parseApiKey(key);
    expect(parsed?.id).toBe(body.id);
    expect(response.headers.get('location')).toBe(`/api-keys/${body.id}`);
    expect(body).toEqual({
      id: body.id,
      prefix: `pcl_${body.id}`,
      key,
      name: 'nightly export',
      owner: { type: 'client', id: clientId },
      resource: testResource,
      scopes: ['items:read'],
      roles: [],
      permissions: ['items:read'],
      expiresAt: null,
      revokedAt: null,
      rotatedFromId: null,
      createdAt: expect.any(String),
      status: 'active',
    });

    const stored = await server.prisma.apiKey.findUniqueOrThrow({ where: { id: body.id as string } });
    expect(stored.secretHash).toBe(hashApiKey(server.config.apiKeyHashKey, key));
    expect(JSON.stringify(stored)).not.toContain(key);

    const fetched = await json(await call(`/api-keys/${body.id}`));
    const listed = await json(await call(`/api-keys?client=${clientId}`));
    const { key: _shownOnce, ...view } = body;
    expect(fetched).toEqual(view);
    expect(listed).toEqual({ apiKeys: [view], nextCursor: null });
    for (const answer of [fetched, listed]) {
      expect(JSON.stringify(answer)).not.toContain(key);
      expect(JSON.stringify(answer)).not.toContain(stored.secretHash);
    }

    const jws = (await recordOf(body.id as string)) as string;
    expect(decodeProtectedHeader(jws)).toEqual({
      alg: 'ES256',
      kid: server.container.providerHost.keyRing().signingKid,
      typ: API_KEY_RECORD_TYP,
    });
    const claims = await verifyRecord(jws);
    expect(claims).toEqual({
      iss: server.config.issuer,
      aud: testResource,
      sub: clientId,
      client_id: clientId,
      owner: 'client',
      key_id: body.id,
      key_hash: stored.secretHash,
      scope: 'items:read',
      roles: [],
      permissions: ['items:read'],
      iat: expect.any(Number),
      exp: claims.iat + 600,
      created_at: Math.floor(stored.createdAt.getTime() / 1000),
    });
    await waitFor(() => messages.includes(jws), 5000, 'the record on the channel');
  });

  it("issues a user key for another resource with the owner's roles, and narrows it when a role is taken away", async () => {
    const userId = await addPerson({ roles: ['editor'], permissions: ['reports:read'] });
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const body = await issue({
      owner: { user: userId },
      resource: otherResource,
      scopes: ['items:read'],
      roles: ['editor'],
      permissions: ['reports:read'],
      expiresAt,
    });
    expect(body.owner).toEqual({ type: 'user', id: userId, username: expect.stringMatching(/^user-/) });
    expect(body.expiresAt).toBe(expiresAt);
    const jws = (await recordOf(body.id as string)) as string;
    const claims = await verifyRecord(jws, otherResource);
    expect(claims).toMatchObject({
      sub: userId,
      client_id: USER_API_KEY_CLIENT_ID,
      owner: 'user',
      roles: ['editor'],
      permissions: ['items:read', 'items:write', 'reports:read'],
      key_exp: Math.floor(Date.parse(expiresAt) / 1000),
    });

    const unassigned = await call(`/users/${userId}/roles/editor`, { method: 'DELETE' });
    expect(unassigned.status).toBe(200);
    // The admin change answers after the records were re-signed; polled all the same.
    const narrowed = await awaitRecord(body.id as string, otherResource, (next) => next.roles.length === 0);
    expect(narrowed).toMatchObject({ roles: [], permissions: ['reports:read'], aud: otherResource });
  }, 15_000);

  it('re-signs every active record with a later iat (republisher)', async () => {
    const clientId = await addService();
    const body = await issue({ owner: { client: clientId }, scopes: ['items:read'] });
    const first = await verifyRecord((await recordOf(body.id as string)) as string);
    // iat has whole seconds: keep re-signing until one lands in a later second.
    const deadline = Date.now() + 10_000;
    let latest = first;
    while (latest.iat <= first.iat && Date.now() < deadline) {
      await server.container.apiKeyRecords?.refreshNow();
      latest = await verifyRecord((await recordOf(body.id as string)) as string);
      if (latest.iat <= first.iat) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(latest.iat).toBeGreaterThan(first.iat);
    expect(latest.exp).toBe(latest.iat + 600);
    expect({ ...latest, iat: 0, exp: 0 }).toEqual({ ...first, iat: 0, exp: 0 });
  }, 15_000);

  it.each([
    ['an unknown user', () => ({ owner: { user: randomUUID() } }), 404],
    ['an unknown client', () => ({ owner: { client: 'no-such-client' } }), 404],
    ['both owners', () => ({ owner: { user: randomUUID(), client: 'x' } }), 400],
    ['a malformed user id', () => ({ owner: { user: 'not-a-uuid' } }), 400],
    ['an unknown field', () => ({ owner: { client: 'x' }, admin: true }), 400],
  ])('refuses %s with problem+json', async (_case, change, status) => {
    const response = await call('/api-keys', {
      method: 'POST',
      body: { name: 'k', scopes: [], ...change() },
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses what the owner cannot give: disabled owner, foreign scope, unheld or admin powers, past expiry', async () => {
    const clientId = await addService(['items:read'], { permissions: ['items:read'] });
    const disabledId = await addService(['items:read'], { disabled: true });
    await server.prisma.role.upsert({ where: { name: 'ops' }, create: { name: 'ops' }, update: {} });
    await upsertRole(server.prisma, { name: 'api-key-super', permissions: [...ADMIN_PERMISSIONS] });
    const superUser = await addPerson({ roles: ['api-key-super'] });
    const refused = async (body: Json, status: number, detail?: RegExp) => {
      const response = await call('/api-keys', { method: 'POST', body: { name: 'k', scopes: [], ...body } });
      const answer = await json(response);
      expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
        status,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      if (detail) expect(JSON.stringify(answer)).toMatch(detail);
    };
    const owner = { client: clientId };
    await refused({ owner: { client: disabledId } }, 409, /disabled/);
    await refused({ owner, scopes: ['items:delete'] }, 400, /may not ask for \\"items:delete\\"/);
    await refused({ owner, scopes: ['admin'] }, 400, /not a scope of this server/);
    await refused({ owner, scopes: ['nope'] }, 400, /not a scope of this server/);
    await refused({ owner, permissions: ['items:write'] }, 400, /does not hold \\"items:write\\"/);
    await refused({ owner, permissions: ['admin:users:write'] }, 400, /admin permission/);
    await refused({ owner, roles: ['ops'] }, 400, /does not hold \\"ops\\"/);
    await refused({ owner: { user: superUser }, roles: ['api-key-super'] }, 400, /carries admin/);
    await refused({ owner, resource: server.config.admin.resource }, 400, /resource: must be one of/);
    await refused({ owner, expiresAt: new Date(Date.now() - 1000).toISOString() }, 400, /future/);
    await refused({ owner, expiresAt: 'tomorrow' }, 400);
    expect(await server.prisma.apiKey.count({ where: { clientId: { in: [clientId, disabledId] } } })).toBe(0);
  });

  it('answers 404 for unknown or malformed ids and needs the api-keys admin permissions', async () => {
    for (const path of ['/api-keys/0123456789abcdef0123', '/api-keys/not-an-id']) {
      const response = await call(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await call('/api-keys/0123456789abcdef0123', { method: 'DELETE' })).status).toBe(404);
    expect((await call('/api-keys/0123456789abcdef0123/rotate', { method: 'POST', body: {} })).status).toBe(
      404,
    );
    expect((await call('/api-keys?status=gone')).status).toBe(400);
    const reader = await adminTokenWith(server, ['admin:api-keys:read']);
    expect((await call('/api-keys', {}, reader)).status).toBe(200);
    const refused = await call('/api-keys', { method: 'POST', body: { name: 'k', scopes: [] } }, reader);
    expect(refused.status).toBe(403);
  });

  it('revokes a key everywhere: PostgreSQL, a jti revocation in Redis, the record gone and announced; idempotent', async () => {
    const clientId = await addService();
    const body = await issue({ owner: { client: clientId }, scopes: ['items:read'] });
    const id = body.id as string;
    expect(await recordOf(id)).not.toBeNull();

    const response = await call(`/api-keys/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const stored = await server.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(stored.revokedAt).not.toBeNull();
    expect(await findRevocation(server.prisma, 'jti', id)).toMatchObject({ kind: 'jti', value: id });
    const entry = parseRevocationEntry(await redis.get(revocationKey(keyPrefix, 'jti', id)));
    expect(entry).toMatchObject({ kind: 'jti', value: id });
    expect(entry?.expiresAt).toBeGreaterThanOrEqual(Date.now() + 600_000);
    expect(await recordOf(id)).toBeNull();
    await waitFor(() => messages.includes(apiKeyDeletedMessage(id)), 5000, 'the deletion on the channel');

    expect((await call(`/api-keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    const after = await json(await call(`/api-keys/${id}`));
    expect(after).toMatchObject({ status: 'revoked', revokedAt: stored.revokedAt?.toISOString() });
    expect((await call(`/api-keys?client=${clientId}&status=revoked`).then(json)).apiKeys).toHaveLength(1);
    expect((await call(`/api-keys?client=${clientId}&status=active`).then(json)).apiKeys).toHaveLength(0);
    const rotate = await call(`/api-keys/${id}/rotate`, { method: 'POST', body: {} });
    expect(rotate.status).toBe(409);
  });

  it('rotates without grace: a new key with the same policy, the old one revoked everywhere', async () => {
    const clientId = await addService();
    const old = await issue({ name: 'rotating', owner: { client: clientId }, scopes: ['items:read'] });
    const response = await fetch(`${server.adminUrl}/api-keys/${old.id}/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.status).toBe(201);
    const next = await json(response);
    expect(next).toMatchObject({
      name: 'rotating',
      owner: { type: 'client', id: clientId },
      scopes: ['items:read'],
      rotatedFromId: old.id,
      status: 'active',
    });
    expect(next.id).not.toBe(old.id);
    expect(parseApiKey(next.key)?.id).toBe(next.id);
    expect(await json(await call(`/api-keys/${old.id}`))).toMatchObject({ status: 'revoked' });
    expect(await recordOf(old.id as string)).toBeNull();
    expect(await redis.get(revocationKey(keyPrefix, 'jti', old.id as string))).not.toBeNull();
    expect((await verifyRecord((await recordOf(next.id as string)) as string)).key_id).toBe(next.id);
  });

  it('rotates with a grace: the old key expires at its end, and its record shrinks at once', async () => {
    const clientId = await addService();
    const old = await issue({ owner: { client: clientId }, scopes: ['items:read'] });
    const before = Date.now();
    const next = await json(
      await call(`/api-keys/${old.id}/rotate`, { method: 'POST', body: { graceSeconds: 120 } }),
    );
    const previous = await json(await call(`/api-keys/${old.id}`));
    expect(previous.status).toBe('active');
    const expiresAt = Date.parse(previous.expiresAt as string);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    const oldRecord = await verifyRecord((await recordOf(old.id as string)) as string);
    expect(oldRecord.key_exp).toBe(Math.floor(expiresAt / 1000));
    expect(oldRecord.exp).toBe(oldRecord.key_exp);
    expect(next.expiresAt).toBeNull();
    expect(
      (await call(`/api-keys/${old.id}/rotate`, { method: 'POST', body: { graceSeconds: 86_401 } })).status,
    ).toBe(400);
    // Rotated already (a retried command): its successor is the key to rotate, not a second one that would
    // inherit the grace's end as its expiry.
    const again = await call(`/api-keys/${old.id}/rotate`, { method: 'POST', body: { graceSeconds: 120 } });
    expect(again.status).toBe(409);
    expect(await server.prisma.apiKey.count({ where: { rotatedFromId: old.id as string } })).toBe(1);
  });

  it("revokes an owner's keys when the owner is disabled or deleted, for good", async () => {
    const userId = await addPerson({ permissions: ['items:read'] });
    const userKey = await issue({
      owner: { user: userId },
      scopes: ['items:read'],
      permissions: ['items:read'],
    });
    const disabled = await call(`/users/${userId}`, { method: 'PATCH', body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(await json(await call(`/api-keys/${userKey.id}`))).toMatchObject({ status: 'revoked' });
    expect(await findRevocation(server.prisma, 'jti', userKey.id as string)).not.toBeNull();
    expect(await recordOf(userKey.id as string)).toBeNull();

    const clientId = await addService();
    const clientKey = await issue({ owner: { client: clientId }, scopes: ['items:read'] });
    expect((await call(`/clients/${clientId}`, { method: 'DELETE' })).status).toBe(204);
    // The row went with its owner (ON DELETE CASCADE); the revocation that refuses it stays.
    expect(await findRevocation(server.prisma, 'jti', clientKey.id as string)).not.toBeNull();
    expect(await redis.get(revocationKey(keyPrefix, 'jti', clientKey.id as string))).not.toBeNull();
    expect(await recordOf(clientKey.id as string)).toBeNull();
  });

  it('audits creation, rotation and revocation without the key or its hash', async () => {
    const clientId = await addService();
    const created = await issue({ owner: { client: clientId }, scopes: ['items:read'] });
    const rotated = await json(await call(`/api-keys/${created.id}/rotate`, { method: 'POST', body: {} }));
    expect((await call(`/api-keys/${rotated.id}`, { method: 'DELETE' })).status).toBe(204);
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: {
        type: { startsWith: 'admin.api_key.' },
        subject: { in: [`pcl_${created.id}`, `pcl_${rotated.id}`] },
      },
      orderBy: { occurredAt: 'asc' },
    });
    expect(events.map((event) => [event.type, event.subject])).toEqual([
      ['admin.api_key.created', `pcl_${created.id}`],
      ['admin.api_key.rotated', `pcl_${rotated.id}`],
      ['admin.api_key.revoked', `pcl_${rotated.id}`],
    ]);
    const hashes = await server.prisma.apiKey.findMany({ where: { clientId }, select: { secretHash: true } });
    const trail = JSON.stringify(events);
    for (const secret of [created.key, rotated.key, ...hashes.map((row) => row.secretHash)]) {
      expect(trail).not.toContain(secret as string);
    }
  });
});
