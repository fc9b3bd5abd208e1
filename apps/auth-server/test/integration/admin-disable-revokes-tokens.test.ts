import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { accessTokenRevoked } from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };

/**
 * Disabling or deleting a user or client through the admin API also revokes the access tokens already
 * issued to it: the admin API's guard (which reads the revocation records) refuses them at once.
 */
describe('admin API: disabling or deleting revokes tokens', () => {
  let server: TestAuthServer;
  let admin: string;
  let adminClientId: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    adminClientId = decodeJwt(admin).client_id as string;
    await server.addClient({
      ...web,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['admin'],
      firstParty: true,
    });
  }, 30_000);
  afterAll(async () => server?.close());

  const addUser = (username: string) =>
    server.addUser({ username, password: `${username} password 1234`, permissions: ['admin:users:read'] });
  const login = async (username: string) => {
    const response = await server.token(
      { grant_type: 'password', username, password: `${username} password 1234`, scope: 'admin' },
      web,
    );
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  };
  const send = (method: string, path: string, body?: unknown) =>
    adminRequest(server, path, admin, { method, body });
  const usersStatus = async (token: string) => (await adminRequest(server, '/users', token)).status;
  const recordOf = (kind: 'user' | 'client', value: string) =>
    server.prisma.revocation.findFirst({ where: { kind, value } });
  const auditOf = async (type: string, subject: string) => {
    await server.container.flushAudit();
    return server.prisma.auditEvent.findMany({ where: { type, subject } });
  };

  it("disabling a user revokes the user's tokens; re-enabling lets it log in again", async () => {
    const id = await addUser('dave');
    const { access_token, refresh_token } = await login('dave');
    expect(await usersStatus(access_token)).toBe(200);

    const response = await send('PATCH', `/users/${id}`, { disabled: true });

    expect(response.status).toBe(200);
    expect(await usersStatus(access_token)).toBe(401);
    expect(await accessTokenRevoked(server, access_token)).toBe(true);
    const refused = await server.token({ grant_type: 'refresh_token', refresh_token }, web);
    expect(refused.body.error).toBe('invalid_grant');
    expect(await recordOf('user', id)).toMatchObject({ reason: 'user disabled', actor: adminClientId });
    expect(await auditOf('admin.user.disabled', id)).toHaveLength(1);
    expect(await auditOf('admin.revocation.created', id)).toEqual([
      expect.objectContaining({ actor: adminClientId, details: expect.objectContaining({ kind: 'user' }) }),
    ]);

    expect((await send('PATCH', `/users/${id}`, { disabled: false })).status).toBe(200);
    // iat has whole seconds and a token from the revocation's own second counts as revoked (fail closed).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await usersStatus((await login('dave')).access_token)).toBe(200);
  });

  it('changing anything else about a user revokes nothing', async () => {
    const id = await addUser('erin');
    const { access_token } = await login('erin');
    expect((await send('PATCH', `/users/${id}`, { email: 'erin@example.com' })).status).toBe(200);
    expect((await send('PATCH', `/users/${id}`, { disabled: false })).status).toBe(200);
    expect(await recordOf('user', id)).toBeNull();
    expect(await usersStatus(access_token)).toBe(200);
  });

  it("deleting a user revokes the user's tokens", async () => {
    const id = await addUser('finn');
    const { access_token } = await login('finn');

    expect((await send('DELETE', `/users/${id}`)).status).toBe(204);

    expect(await usersStatus(access_token)).toBe(401);
    expect(await accessTokenRevoked(server, access_token)).toBe(true);
    expect(await recordOf('user', id)).toMatchObject({ reason: 'user deleted' });
    expect(await auditOf('admin.user.deleted', id)).toHaveLength(1);
  });

  it('deleting or disabling an unknown user is a 404 that records nothing', async () => {
    const ghost = randomUUID();
    expect((await send('DELETE', `/users/${ghost}`)).status).toBe(404);
    expect((await send('PATCH', `/users/${ghost}`, { disabled: true })).status).toBe(404);
    expect(await recordOf('user', ghost)).toBeNull();
  });

  it("disabling a client revokes the client's tokens", async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    const clientId = decodeJwt(victim).client_id as string;
    expect(await usersStatus(victim)).toBe(200);

    const response = await send('PATCH', `/clients/${clientId}`, { disabled: true });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ disabled: true, introspection: false });
    expect(await usersStatus(victim)).toBe(401);
    expect(await accessTokenRevoked(server, victim)).toBe(true);
    expect(await recordOf('client', clientId)).toMatchObject({
      reason: 'client disabled',
      actor: adminClientId,
    });
    expect(await auditOf('admin.client.disabled', clientId)).toHaveLength(1);
    expect(await auditOf('admin.revocation.created', clientId)).toHaveLength(1);
  });

  it('disabling a first-party client revokes the tokens its users got through it', async () => {
    const id = await addUser('gina');
    const { access_token } = await login('gina');
    const other = await adminTokenWith(server, ['admin:users:read']);

    expect((await send('PATCH', `/clients/${web.id}`, { disabled: true })).status).toBe(200);

    expect(await usersStatus(access_token)).toBe(401);
    expect(await usersStatus(other)).toBe(200);
    expect(await recordOf('user', id)).toBeNull();
  });

  it("deleting a client revokes the client's tokens", async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    const clientId = decodeJwt(victim).client_id as string;

    expect((await send('DELETE', `/clients/${clientId}`)).status).toBe(204);

    expect(await usersStatus(victim)).toBe(401);
    expect(await recordOf('client', clientId)).toMatchObject({ reason: 'client deleted' });
    expect(await auditOf('admin.client.deleted', clientId)).toHaveLength(1);
    expect((await send('DELETE', `/clients/${clientId}`)).status).toBe(404);
  });
});
