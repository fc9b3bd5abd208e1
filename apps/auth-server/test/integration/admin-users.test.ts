import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testScopes } from '../support/test-environment.js';

interface UserBody {
  id: string;
  username: string;
  email: string | null;
  disabled: boolean;
  roles: string[];
  permissions: string[];
}

/** `/users` on the admin listener: every route, its authorization, its validation and its audit trail. */
describe('admin API: users', () => {
  let server: TestAuthServer;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await addStandardRoles(server.prisma);
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    viewer = await adminTokenWith(server, ['admin:users:read']);
    await server.addClient({
      id: 'web',
      secret: 'web-secret',
      grantTypes: ['password'],
      scopes: testScopes,
      firstParty: true,
    });
  }, 30_000);
  afterAll(async () => server?.close());

  const create = (body: Record<string, unknown>, token = admin) =>
    adminRequest(server, '/users', token, { method: 'POST', body });
  const login = (username: string, password: string) =>
    server.token({ grant_type: 'password', username, password }, { id: 'web', secret: 'web-secret' });
  const auditOf = async (type: string) => {
    await server.container.flushAudit();
    return server.prisma.auditEvent.findMany({ where: { type }, orderBy: { occurredAt: 'asc' } });
  };

  it('creates a user who can then log in, and audits it without the password', async () => {
    const response = await create({
      username: 'Dana',
      email: 'dana@example.test',
      password: 'correct horse',
      roles: ['editor'],
    });
    expect(response.status).toBe(201);
    const user = (await response.json()) as UserBody;
    expect(user).toMatchObject({
      username: 'dana',
      email: 'dana@example.test',
      disabled: false,
      roles: ['editor'],
    });
    expect(response.headers.get('location')).toBe(`/users/${user.id}`);
    expect(JSON.stringify(user)).not.toMatch(/hash|correct horse/);
    expect((await login('dana', 'correct horse')).status).toBe(200);
    const [event] = await auditOf('admin.user.created');
    expect(event).toMatchObject({ subject: user.id, clientId: expect.stringMatching(/^admin-/) });
    expect(JSON.stringify(event)).not.toContain('correct horse');
  });

  it.each([
    ['a short password', { username: 'eve', password: 'short' }, 'password'],
    ['a password over 1 KiB', { username: 'eve', password: 'x'.repeat(1025) }, 'password'],
    ['a username with spaces', { username: 'e ve', password: 'long enough' }, 'username'],
    ['an unknown field', { username: 'eve', password: 'long enough', admin: true }, ''],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((error) => error.path)).toContain(field);
  });

  it('answers 409 for a taken username and 404 for an unknown role, creating nothing', async () => {
    expect((await create({ username: 'DANA', password: 'another one' })).status).toBe(409);
    const unknownRole = await create({
      username: 'frank',
      password: 'long enough',
      roles: ['editor', 'ghost'],
    });
    expect(unknownRole.status).toBe(404);
    expect(await unknownRole.json()).toMatchObject({ resource: 'role' });
    const { users } = (await (await adminRequest(server, '/users?q=frank', admin)).json()) as {
      users: UserBody[];
    };
    expect(users).toEqual([]);
  });

  it('lists with paging and search', async () => {
    for (const name of ['page-a', 'page-b', 'page-c'])
      await create({ username: name, password: 'long enough' });
    const first = (await (await adminRequest(server, '/users?q=page-&limit=2', viewer)).json()) as {
      users: UserBody[];
      nextCursor: string;
    };
    expect(first.users.map((user) => user.username)).toEqual(['page-a', 'page-b']);
    const second = (await (
      await adminRequest(server, `/users?q=page-&limit=2&after=${first.nextCursor}`, viewer)
    ).json()) as { users: UserBody[]; nextCursor: string | null };
    expect(second).toMatchObject({
      users: [expect.objectContaining({ username: 'page-c' })],
      nextCursor: null,
    });
    expect((await adminRequest(server, '/users?after=garbage', viewer)).status).toBe(400);
    expect((await adminRequest(server, '/users?limit=500', viewer)).status).toBe(400);
  });

  it('disables a user (who can no longer log in) and audits before and after', async () => {
    const { id } = (await (await create({ username: 'gina', password: 'long enough' })).json()) as UserBody;
    const response = await adminRequest(server, `/users/${id}`, admin, {
      method: 'PATCH',
      body: { disabled: true },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ disabled: true });
    expect((await login('gina', 'long enough')).body.error).toBe('invalid_grant');
    const [event] = await auditOf('admin.user.disabled');
    expect(event?.details).toMatchObject({ before: { disabled: false }, after: { disabled: true } });
  });

  it('sets a password: the old one stops working, the new one works', async () => {
    const { id } = (await (await create({ username: 'hal', password: 'first password' })).json()) as UserBody;
    const response = await adminRequest(server, `/users/${id}/password`, admin, {
      method: 'PUT',
      body: { password: 'second password' },
    });
    expect(response.status).toBe(204);
    expect((await login('hal', 'first password')).status).toBe(400);
    expect((await login('hal', 'second password')).status).toBe(200);
    expect(await auditOf('admin.user.password_set')).toHaveLength(1);
  });

  it('assigns and unassigns roles and direct permissions', async () => {
    const { id } = (await (await create({ username: 'ivy', password: 'long enough' })).json()) as UserBody;
    const withRole = await adminRequest(server, `/users/${id}/roles`, admin, {
      method: 'POST',
      body: { roles: ['viewer'] },
    });
    expect(await withRole.json()).toMatchObject({ roles: ['viewer'] });
    const withPermission = await adminRequest(server, `/users/${id}/permissions`, admin, {
      method: 'POST',
      body: { permissions: ['items:delete'] },
    });
    expect(await withPermission.json()).toMatchObject({ permissions: ['items:delete'] });
    const token = (await login('ivy', 'long enough')).body.access_token as string;
    expect((await server.verifyAccessToken(token)).payload.permissions).toEqual([
      'items:delete',
      'items:read',
    ]);
    await adminRequest(server, `/users/${id}/roles/viewer`, admin, { method: 'DELETE' });
    const last = await adminRequest(server, `/users/${id}/permissions/items:delete`, admin, {
      method: 'DELETE',
    });
    expect(await last.json()).toMatchObject({ roles: [], permissions: [] });
    expect((await auditOf('admin.user.roles_assigned')).length).toBeGreaterThan(0);
  });

  it('deletes a user; reading it then answers 404', async () => {
    const { id } = (await (await create({ username: 'jay', password: 'long enough' })).json()) as UserBody;
    expect((await adminRequest(server, `/users/${id}`, admin, { method: 'DELETE' })).status).toBe(204);
    expect((await adminRequest(server, `/users/${id}`, admin)).status).toBe(404);
    expect((await adminRequest(server, `/users/${id}`, admin, { method: 'DELETE' })).status).toBe(404);
    expect((await adminRequest(server, '/users/not-a-uuid', admin)).status).toBe(404);
    expect(await auditOf('admin.user.deleted')).toHaveLength(1);
  });

  it('lets a read-only admin read but not write', async () => {
    expect((await adminRequest(server, '/users', viewer)).status).toBe(200);
    const refused = await create({ username: 'kim', password: 'long enough' }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('refuses a token without admin permissions', async () => {
    const noPermissions = await adminTokenWith(server, []);
    expect((await adminRequest(server, '/users', noPermissions)).status).toBe(403);
    expect((await adminRequest(server, '/users', undefined)).status).toBe(401);
  });
});
