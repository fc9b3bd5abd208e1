import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertRole } from '@portcullis/db';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

type Caller = 'usersAdmin' | 'clientsAdmin' | 'rolesAdmin';
/** One admin request; `path` is built when it runs, since ids are only known after beforeAll. */
interface Attempt {
  name: string;
  caller: Caller;
  method: string;
  path: () => string;
  body?: unknown;
  /** The 403 detail. */
  detail: string;
}

const HELD: Record<Caller, string[]> = {
  usersAdmin: ['admin:users:read', 'admin:users:write'],
  clientsAdmin: ['admin:clients:read', 'admin:clients:write'],
  rolesAdmin: ['admin:roles:read', 'admin:roles:write'],
};
/** The `super` role's admin permissions (all twelve) that `caller` does not hold, as a 403 lists them. */
const superMinus = (caller: Caller) =>
  [...ADMIN_PERMISSIONS]
    .filter((permission) => !HELD[caller].includes(permission))
    .sort()
    .join(', ');
const granting = (missing: string) => `you cannot grant admin permissions you do not hold: ${missing}`;
const actingOn = (kind: string, caller: Caller) =>
  `this ${kind} holds admin permissions you do not: ${superMinus(caller)}`;
/** 2xx as 'ok', anything else as the status, so a failure names the request and what it got. */
const outcome = (response: Response) => (response.ok ? 'ok' : response.status);
const adminService = { grantTypes: ['client_credentials'], scopes: ['admin'] };

/**
 * "An admin can neither grant nor take over admin authority it does not hold itself" (admin-escalation.ts):
 * every path a review found from one `admin:*:write` permission to full admin is refused with 403 and
 * leaves the database as it was; a caller that holds the authority does the same things as before.
 */
describe('admin API: no privilege escalation', () => {
  let server: TestAuthServer;
  let full: string;
  const tokens = {} as Record<Caller, string>;
  let rootId: string;
  let plainId: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await upsertRole(server.prisma, { name: 'super', permissions: [...ADMIN_PERMISSIONS] });
    await upsertRole(server.prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
    full = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    for (const caller of Object.keys(HELD) as Caller[]) {
      tokens[caller] = await adminTokenWith(server, HELD[caller]);
    }
    rootId = await server.addUser({
      username: 'root',
      password: 'root password',
      roles: ['super'],
      permissions: ['items:delete'],
    });
    plainId = await server.addUser({
      username: 'plain',
      password: 'plain password',
      roles: ['editor'],
      permissions: ['items:delete'],
    });
    await server.addClient({
      id: 'ops-admin',
      secret: 'ops-admin-secret',
      ...adminService,
      roles: ['super'],
      permissions: ['items:delete'],
    });
    await server.addClient({
      id: 'plain-service',
      secret: 'plain-service-secret',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      roles: ['editor'],
      permissions: ['items:delete'],
    });
  }, 30_000);
  afterAll(async () => server?.close());

  /** Everything an admin write could change, secrets' hashes included, in a stable order. */
  const snapshot = async () => {
    const byRole = { role: { name: 'asc' as const } };
    const byPermission = { permission: { name: 'asc' as const } };
    const roleNames = { select: { role: { select: { name: true } } }, orderBy: byRole };
    const permissionNames = { select: { permission: { select: { name: true } } }, orderBy: byPermission };
    return {
      users: await server.prisma.user.findMany({
        orderBy: { username: 'asc' },
        select: {
          username: true,
          email: true,
          disabled: true,
          passwordHash: true,
          updatedAt: true,
          roles: roleNames,
          permissions: permissionNames,
        },
      }),
      clients: await server.prisma.client.findMany({
        orderBy: { id: 'asc' },
        select: {
          id: true,
          name: true,
          secretHash: true,
          grantTypes: true,
          scopes: true,
          disabled: true,
          updatedAt: true,
          roles: roleNames,
          permissions: permissionNames,
        },
      }),
      roles: await server.prisma.role.findMany({
        orderBy: { name: 'asc' },
        select: { name: true, description: true, permissions: permissionNames },
      }),
      permissions: await server.prisma.permission.findMany({
        orderBy: { name: 'asc' },
        select: { name: true },
      }),
    };
  };
  const send = ({ caller, method, path, body }: Attempt, token = tokens[caller]) =>
    adminRequest(server, path(), token, { method, body });
  const expectForbidden = async (response: Response, detail: string) => {
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 403,
      body: { status: 403, title: 'Forbidden', detail },
    });
  };

  const grants: Attempt[] = [
    {
      name: 'a user created with the super role',
      caller: 'usersAdmin',
      method: 'POST',
      path: () => '/users',
      body: { username: 'mallory1', password: 'long enough', roles: ['super'] },
      detail: granting(superMinus('usersAdmin')),
    },
    {
      name: 'a user created with admin:keys:write',
      caller: 'usersAdmin',
      method: 'POST',
      path: () => '/users',
      body: {
        username: 'mallory2',
        password: 'long enough',
        permissions: ['items:read', 'admin:keys:write'],
      },
      detail: granting('admin:keys:write'),
    },
    {
      name: 'the super role assigned to a user',
      caller: 'usersAdmin',
      method: 'POST',
      path: () => `/users/${plainId}/roles`,
      body: { roles: ['editor', 'super'] },
      detail: granting(superMinus('usersAdmin')),
    },
    {
      name: 'admin:keys:write granted to a user',
      caller: 'usersAdmin',
      method: 'POST',
      path: () => `/users/${plainId}/permissions`,
      body: { permissions: ['admin:keys:write'] },
      detail: granting('admin:keys:write'),
    },
    {
      name: 'a client created with every admin permission',
      caller: 'clientsAdmin',
      method: 'POST',
      path: () => '/clients',
      body: { id: 'backdoor1', ...adminService, permissions: [...ADMIN_PERMISSIONS] },
      detail: granting(superMinus('clientsAdmin')),
    },
    {
      name: 'a client created with the super role',
      caller: 'clientsAdmin',
      method: 'POST',
      path: () => '/clients',
      body: { id: 'backdoor2', ...adminService, roles: ['super'] },
      detail: granting(superMinus('clientsAdmin')),
    },
    {
      name: 'the super role assigned to a client',
      caller: 'clientsAdmin',
      method: 'POST',
      path: () => '/clients/plain-service/roles',
      body: { roles: ['super'] },
      detail: granting(superMinus('clientsAdmin')),
    },
    {
      name: 'admin:keys:write granted to a client',
      caller: 'clientsAdmin',
      method: 'POST',
      path: () => '/clients/plain-service/permissions',
      body: { permissions: ['admin:keys:write'] },
      detail: granting('admin:keys:write'),
    },
    {
      name: 'a role created with admin:keys:write',
      caller: 'rolesAdmin',
      method: 'POST',
      path: () => '/roles',
      body: { name: 'backdoor', permissions: ['admin:keys:write'] },
      detail: granting('admin:keys:write'),
    },
    {
      name: 'admin:users:write added to a role',
      caller: 'rolesAdmin',
      method: 'PATCH',
      path: () => '/roles/editor',
      body: { permissions: ['items:read', 'items:write', 'admin:users:write'] },
      detail: granting('admin:users:write'),
    },
  ];

  it.each(grants)('refuses $name with 403, changing nothing', async (attempt) => {
    const before = await snapshot();
    await expectForbidden(await send(attempt), attempt.detail);
    expect(await snapshot()).toEqual(before);
  });

  const onUser = (name: string, method: string, path: () => string, body?: unknown): Attempt => ({
    name: `${name} of a more powerful user`,
    caller: 'usersAdmin',
    method,
    path,
    body,
    detail: actingOn('user', 'usersAdmin'),
  });
  const onClient = (name: string, method: string, path: string, body?: unknown): Attempt => ({
    name: `${name} of a more powerful client`,
    caller: 'clientsAdmin',
    method,
    path: () => path,
    body,
    detail: actingOn('client', 'clientsAdmin'),
  });
  const onRole = (name: string, method: string, body?: unknown): Attempt => ({
    name: `${name} of a role carrying more admin permissions`,
    caller: 'rolesAdmin',
    method,
    path: () => '/roles/super',
    body,
    detail: actingOn('role', 'rolesAdmin'),
  });
  /** In an order a full admin can replay one after the other (the deletions last). */
  const takeovers: Attempt[] = [
    onUser('changing the email', 'PATCH', () => `/users/${rootId}`, { email: 'me@attacker.test' }),
    onUser('disabling the account', 'PATCH', () => `/users/${rootId}`, { disabled: true }),
    onUser('setting the password', 'PUT', () => `/users/${rootId}/password`, { password: 'taken over' }),
    onUser('unassigning a role', 'DELETE', () => `/users/${rootId}/roles/super`),
    onUser('revoking a permission', 'DELETE', () => `/users/${rootId}/permissions/items:delete`),
    onUser('deleting the account', 'DELETE', () => `/users/${rootId}`),
    onClient('rotating the secret', 'POST', '/clients/ops-admin/secret'),
    onClient('renaming', 'PATCH', '/clients/ops-admin', { name: 'mine' }),
    onClient('disabling', 'PATCH', '/clients/ops-admin', { disabled: true }),
    onClient('unassigning a role', 'DELETE', '/clients/ops-admin/roles/super'),
    onClient('revoking a permission', 'DELETE', '/clients/ops-admin/permissions/items:delete'),
    onClient('deleting', 'DELETE', '/clients/ops-admin'),
    onRole('changing the description', 'PATCH', { description: 'mine now' }),
    onRole('deleting', 'DELETE'),
  ];

  it.each(takeovers)('refuses $name with 403, changing nothing', async (attempt) => {
    const before = await snapshot();
    await expectForbidden(await send(attempt), attempt.detail);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses deleting an admin permission the caller does not hold', async () => {
    const before = await snapshot();
    await expectForbidden(
      await adminRequest(server, '/permissions/admin:keys:write', tokens.rolesAdmin, { method: 'DELETE' }),
      'you cannot delete admin permissions you do not hold: admin:keys:write',
    );
    expect(await snapshot()).toEqual(before);
    // A full admin holds all twelve, not every `admin:`-prefixed name someone could invent.
    await adminRequest(server, '/permissions', full, {
      method: 'POST',
      body: { name: 'admin:reports:read' },
    });
    const fullAdmin = await adminRequest(server, '/permissions/admin:reports:read', full, {
      method: 'DELETE',
    });
    expect(fullAdmin.status).toBe(403);
    const holder = await adminTokenWith(server, ['admin:roles:write', 'admin:reports:read']);
    expect(
      (await adminRequest(server, '/permissions/admin:reports:read', holder, { method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('leaves the more powerful client working after the refused takeover', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin' },
      { id: 'ops-admin', secret: 'ops-admin-secret' },
    );
    expect(response.status).toBe(200);
  });

  it('records each refusal in the audit log, naming what was missing', async () => {
    await adminRequest(server, `/users/${rootId}/password`, tokens.usersAdmin, {
      method: 'PUT',
      body: { password: 'one more try' },
    });
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: { type: 'admin.escalation_refused', subject: rootId },
      orderBy: { occurredAt: 'desc' },
    });
    expect(events[0]).toMatchObject({
      clientId: expect.stringMatching(/^admin-/),
      details: {
        kind: 'user',
        method: 'PUT',
        path: `/users/${rootId}/password`,
        missing: expect.arrayContaining(['admin:keys:write']),
      },
    });
    expect(JSON.stringify(events)).not.toContain('one more try');
  });

  it('lets a users-only admin manage ordinary users, handing out what it holds', async () => {
    const token = tokens.usersAdmin;
    const created = await adminRequest(server, '/users', token, {
      method: 'POST',
      body: {
        username: 'olivia',
        password: 'long enough',
        roles: ['editor'],
        permissions: ['items:delete', 'admin:users:read'],
      },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const steps: [string, string, unknown?][] = [
      ['POST', `/users/${id}/permissions`, { permissions: ['reports:read'] }],
      ['DELETE', `/users/${id}/permissions/reports:read`],
      ['DELETE', `/users/${id}/roles/editor`],
      ['POST', `/users/${id}/roles`, { roles: ['editor'] }],
      ['PUT', `/users/${id}/password`, { password: 'another password' }],
      ['PATCH', `/users/${id}`, { disabled: true }],
      ['PATCH', `/users/${plainId}`, { email: 'plain@example.test' }],
      ['DELETE', `/users/${id}`],
    ];
    for (const [method, path, body] of steps) {
      const response = await adminRequest(server, path, token, { method, body });
      expect({ method, path, outcome: outcome(response) }).toEqual({ method, path, outcome: 'ok' });
    }
  });

  it('lets an admin grant exactly the admin permissions it holds', async () => {
    const keysToo = await adminTokenWith(server, [...HELD.usersAdmin, 'admin:keys:write']);
    const response = await adminRequest(server, `/users/${plainId}/permissions`, keysToo, {
      method: 'POST',
      body: { permissions: ['admin:keys:write'] },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ permissions: ['admin:keys:write', 'items:delete'] });
    // plain now holds admin:keys:write: the users-only admin may no longer act on it.
    await expectForbidden(
      await adminRequest(server, `/users/${plainId}`, tokens.usersAdmin, {
        method: 'PATCH',
        body: { disabled: true },
      }),
      'this user holds admin permissions you do not: admin:keys:write',
    );
    const revoke = `/users/${plainId}/permissions/admin:keys:write`;
    expect((await adminRequest(server, revoke, keysToo, { method: 'DELETE' })).status).toBe(200);
  });

  it('lets a clients-only and a roles-only admin manage ordinary clients and roles', async () => {
    const clients = tokens.clientsAdmin;
    const roles = tokens.rolesAdmin;
    const steps: [string, string, string, unknown?][] = [
      [
        clients,
        'POST',
        '/clients',
        { id: 'reports', grantTypes: ['client_credentials'], scopes: ['items:read'] },
      ],
      [clients, 'POST', '/clients/reports/roles', { roles: ['editor'] }],
      [clients, 'POST', '/clients/reports/permissions', { permissions: ['items:delete'] }],
      [clients, 'POST', '/clients/reports/secret'],
      [clients, 'DELETE', '/clients/reports/roles/editor'],
      [clients, 'DELETE', '/clients/reports/permissions/items:delete'],
      [clients, 'PATCH', '/clients/plain-service', { name: 'Plain service' }],
      [clients, 'DELETE', '/clients/reports'],
      [roles, 'POST', '/roles', { name: 'role-reader', permissions: ['admin:roles:read', 'items:read'] }],
      [roles, 'PATCH', '/roles/role-reader', { description: 'reads roles' }],
      [roles, 'PATCH', '/roles/editor', { permissions: ['items:read', 'items:write', 'items:delete'] }],
      [roles, 'DELETE', '/roles/role-reader'],
      [roles, 'POST', '/permissions', { name: 'reports:export' }],
      [roles, 'DELETE', '/permissions/reports:export'],
    ];
    for (const [token, method, path, body] of steps) {
      const response = await adminRequest(server, path, token, { method, body });
      expect({ method, path, outcome: outcome(response) }).toEqual({ method, path, outcome: 'ok' });
    }
  });

  it('gives an admin user an admin token through a first-party password client', async () => {
    await upsertRole(server.prisma, { name: 'user-reader', permissions: ['admin:users:read'] });
    await server.addUser({ username: 'auditor', password: 'auditor password', roles: ['user-reader'] });
    const created = await adminRequest(server, '/clients', full, {
      method: 'POST',
      body: { id: 'admin-console', grantTypes: ['password'], scopes: ['admin'], firstParty: true },
    });
    expect(created.status).toBe(201);
    const { clientSecret } = (await created.json()) as { clientSecret: string };
    // No resource parameter: scope=admin alone selects the admin API's audience, as for client_credentials.
    const login = await server.token(
      { grant_type: 'password', username: 'auditor', password: 'auditor password', scope: 'admin' },
      { id: 'admin-console', secret: clientSecret },
    );
    expect(login.status).toBe(200);
    const accessToken = login.body.access_token as string;
    const { payload } = await server.verifyAccessToken(accessToken, server.config.admin.resource);
    expect(payload).toMatchObject({ scope: 'admin', permissions: ['admin:users:read'] });
    expect((await adminRequest(server, '/users', accessToken)).status).toBe(200);
    // The user's own authority, no more: the client adds nothing.
    expect((await adminRequest(server, '/clients', accessToken)).status).toBe(403);
  });

  it('judges a caller by its token: a demoted admin keeps its authority until revoked', async () => {
    const token = await adminTokenWith(server, [...HELD.usersAdmin, 'admin:keys:read']);
    const { payload } = await server.verifyAccessToken(token, server.config.admin.resource);
    const clientId = payload.client_id as string;
    const demoted = await adminRequest(server, `/clients/${clientId}/permissions/admin:keys:read`, full, {
      method: 'DELETE',
    });
    expect(demoted.status).toBe(200);
    const grant = () =>
      adminRequest(server, `/users/${plainId}/permissions`, token, {
        method: 'POST',
        body: { permissions: ['admin:keys:read'] },
      });
    // Permissions are computed at issue time (DESIGN "Authorization model"): the token still carries it.
    expect((await grant()).status).toBe(200);
    const revoked = await adminRequest(server, '/revocations', full, {
      method: 'POST',
      body: { kind: 'client', value: clientId, reason: 'demoted' },
    });
    expect(revoked.status).toBe(201);
    expect((await grant()).status).toBe(401);
    const cleanUp = `/users/${plainId}/permissions/admin:keys:read`;
    expect((await adminRequest(server, cleanUp, full, { method: 'DELETE' })).status).toBe(200);
  });

  it('lets a full admin do every refused write', async () => {
    for (const attempt of [...grants, ...takeovers]) {
      const response = await send(attempt, full);
      expect({ request: attempt.name, outcome: outcome(response) }).toEqual({
        request: attempt.name,
        outcome: 'ok',
      });
    }
    expect(await server.prisma.user.count({ where: { id: rootId } })).toBe(0);
    expect(await server.prisma.client.count({ where: { id: 'ops-admin' } })).toBe(0);
    expect(await server.prisma.role.count({ where: { name: 'super' } })).toBe(0);
  });
});
