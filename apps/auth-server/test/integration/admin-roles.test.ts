import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource, testScopes } from '../support/test-environment.js';

interface RoleBody {
  name: string;
  description: string;
  permissions: string[];
  createdAt: string;
}

interface PermissionBody {
  name: string;
  description: string;
  roles: string[];
  createdAt: string;
}

interface Problem {
  status: number;
  title: string;
  errors?: { path: string; message: string }[];
}

/** `/roles` and `/permissions` on the admin listener: every route, its authorization, validation and audit. */
describe('admin API: roles and permissions', () => {
  let server: TestAuthServer;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    viewer = await adminTokenWith(server, ['admin:roles:read']);
    await server.addClient({
      id: 'web',
      secret: 'web-secret',
      grantTypes: ['password'],
      scopes: testScopes,
      firstParty: true,
    });
  }, 30_000);
  afterAll(async () => server?.close());

  const send = (method: string, path: string, body?: unknown, token = admin) =>
    adminRequest(server, path, token, { method, body });
  const createRole = (body: Record<string, unknown>, token = admin) => send('POST', '/roles', body, token);
  const auditOf = async (type: string) => {
    await server.container.flushAudit();
    return server.prisma.auditEvent.findMany({ where: { type }, orderBy: { occurredAt: 'asc' } });
  };
  const expectProblem = async (response: Response, status: number): Promise<Problem> => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()) as Problem;
  };
  const permissionsInTokenOf = async (username: string) => {
    const login = await server.token(
      { grant_type: 'password', username, password: 'long enough' },
      { id: 'web', secret: 'web-secret' },
    );
    expect(login.status).toBe(200);
    const { payload } = await server.verifyAccessToken(login.body.access_token as string, testResource);
    return payload.permissions;
  };

  it('creates a role with new permissions, names it in Location and audits who did it', async () => {
    const response = await createRole({
      name: 'editor',
      description: ' Edits items ',
      permissions: ['items:write', 'items:read'],
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/roles/editor');
    const role = (await response.json()) as RoleBody;
    expect(role).toEqual({
      name: 'editor',
      description: 'Edits items',
      permissions: ['items:read', 'items:write'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await (await send('GET', '/roles/editor', undefined, viewer)).json()).toEqual(role);
    const [event] = await auditOf('admin.role.created');
    expect(event).toMatchObject({
      subject: 'editor',
      actor: expect.stringMatching(/^admin-/),
      clientId: expect.stringMatching(/^admin-/),
      details: { after: role },
    });
  });

  it('lists roles sorted by name', async () => {
    await createRole({ name: 'auditor' });
    const response = await send('GET', '/roles', undefined, viewer);
    expect(response.status).toBe(200);
    const { roles } = (await response.json()) as { roles: RoleBody[] };
    expect(roles.map((role) => role.name)).toEqual(['auditor', 'editor']);
    expect(roles[0]).toMatchObject({ description: '', permissions: [] });
  });

  it.each([
    ['a name with spaces', { name: 'two words' }, 'name'],
    ['a name with a slash', { name: 'a/b' }, 'name'],
    ['a permission with spaces', { name: 'ok', permissions: ['items read'] }, 'permissions.0'],
    ['a description over 500 characters', { name: 'ok', description: 'x'.repeat(501) }, 'description'],
    ['an unknown field', { name: 'ok', admin: true }, ''],
  ])('refuses %s with a 400 naming the field', async (_case, body, field) => {
    const problem = await expectProblem(await createRole(body), 400);
    expect(problem.errors?.map((error) => error.path)).toContain(field);
  });

  it('answers 409 for a taken name and 404 for an unknown role', async () => {
    const conflict = await expectProblem(await createRole({ name: 'editor' }), 409);
    expect(conflict.title).toBe('Conflict');
    await expectProblem(await send('GET', '/roles/ghost'), 404);
    await expectProblem(await send('PATCH', '/roles/ghost', { description: 'x' }), 404);
    await expectProblem(await send('DELETE', '/roles/ghost'), 404);
  });

  it('replaces permissions on PATCH: holders get the new set at their next token; audited before and after', async () => {
    await createRole({ name: 'reviewer', permissions: ['items:read'] });
    await server.addUser({ username: 'rita', password: 'long enough', roles: ['reviewer'] });
    expect(await permissionsInTokenOf('rita')).toEqual(['items:read']);

    const response = await send('PATCH', '/roles/reviewer', { permissions: ['items:review'] });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'reviewer', permissions: ['items:review'] });
    expect(await permissionsInTokenOf('rita')).toEqual(['items:review']);

    const [event] = await auditOf('admin.role.updated');
    expect(event?.details).toMatchObject({
      before: { permissions: ['items:read'] },
      after: { permissions: ['items:review'] },
    });
    const described = await send('PATCH', '/roles/reviewer', { description: 'Reviews items' });
    expect(await described.json()).toMatchObject({
      description: 'Reviews items',
      permissions: ['items:review'],
    });
    const empty = await expectProblem(await send('PATCH', '/roles/reviewer', {}), 400);
    expect(empty.errors?.[0]?.message).toBe('give description, permissions or both');
  });

  it('deletes a role: holders lose it, the permissions stay, reading it answers 404', async () => {
    await createRole({ name: 'temporary', permissions: ['items:temp'] });
    await server.addUser({ username: 'tom', password: 'long enough', roles: ['temporary'] });
    expect(await permissionsInTokenOf('tom')).toEqual(['items:temp']);

    expect((await send('DELETE', '/roles/temporary')).status).toBe(204);
    await expectProblem(await send('GET', '/roles/temporary'), 404);
    expect(await permissionsInTokenOf('tom')).toEqual([]);
    const { permissions } = (await (await send('GET', '/permissions')).json()) as {
      permissions: PermissionBody[];
    };
    expect(permissions.find((permission) => permission.name === 'items:temp')).toMatchObject({ roles: [] });
    const [event] = await auditOf('admin.role.deleted');
    expect(event).toMatchObject({
      subject: 'temporary',
      details: { before: { permissions: ['items:temp'] } },
    });
  });

  it('creates, lists and deletes permissions; deleting one takes it from every role', async () => {
    const created = await send('POST', '/permissions', { name: 'reports:export', description: 'Export' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'reports:export', description: 'Export', roles: [] });
    await expectProblem(await send('POST', '/permissions', { name: 'reports:export' }), 409);
    const invalid = await expectProblem(await send('POST', '/permissions', { name: 'bad name' }), 400);
    expect(invalid.errors?.map((error) => error.path)).toEqual(['name']);

    await createRole({ name: 'exporter', permissions: ['reports:export', 'items:read'] });
    const list = await send('GET', '/permissions', undefined, viewer);
    expect(list.status).toBe(200);
    const { permissions } = (await list.json()) as { permissions: PermissionBody[] };
    const names = permissions.map((permission) => permission.name);
    expect(names).toEqual([...names].sort());
    expect(permissions.find((permission) => permission.name === 'reports:export')).toMatchObject({
      roles: ['exporter'],
    });

    expect((await send('DELETE', '/permissions/reports:export')).status).toBe(204);
    expect(await (await send('GET', '/roles/exporter')).json()).toMatchObject({
      permissions: ['items:read'],
    });
    await expectProblem(await send('DELETE', '/permissions/reports:export'), 404);

    expect(await auditOf('admin.permission.created')).toEqual([
      expect.objectContaining({
        subject: 'reports:export',
        details: { after: expect.objectContaining({ name: 'reports:export', roles: [] }) },
      }),
    ]);
    const [deleted] = await auditOf('admin.permission.deleted');
    expect(deleted).toMatchObject({
      subject: 'reports:export',
      actor: expect.stringMatching(/^admin-/),
      details: { before: { name: 'reports:export', roles: ['exporter'] } },
    });
  });

  it('lets a read-only admin read roles and permissions but not write them', async () => {
    expect((await send('GET', '/roles', undefined, viewer)).status).toBe(200);
    expect((await send('GET', '/permissions', undefined, viewer)).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/roles', { name: 'nope' }],
      ['PATCH', '/roles/editor', { description: 'nope' }],
      ['DELETE', '/roles/editor', undefined],
      ['POST', '/permissions', { name: 'nope:nope' }],
      ['DELETE', '/permissions/items:read', undefined],
    ];
    for (const [method, path, body] of writes) {
      const refused = await send(method, path, body, viewer);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
    expect((await send('GET', '/roles/editor')).status).toBe(200);
    expect(await auditOf('admin.role.deleted')).toHaveLength(1);
  });

  it('refuses admins of other resources, tokens for other audiences and requests without a token', async () => {
    const usersAdmin = await adminTokenWith(server, ['admin:users:read', 'admin:users:write']);
    expect((await send('GET', '/roles', undefined, usersAdmin)).status).toBe(403);
    expect((await send('GET', '/permissions', undefined, usersAdmin)).status).toBe(403);
    await server.addClient({
      id: 'items-service',
      secret: 'items-secret',
      grantTypes: ['client_credentials'],
      scopes: testScopes,
      permissions: [...ADMIN_PERMISSIONS],
    });
    const items = await server.token(
      { grant_type: 'client_credentials', scope: 'items:read', resource: testResource },
      { id: 'items-service', secret: 'items-secret' },
    );
    // An items token is not audienced to the admin API: refused as an invalid token, whatever it carries.
    expect((await send('GET', '/roles', undefined, items.body.access_token as string)).status).toBe(401);
    expect((await adminRequest(server, '/roles', undefined)).status).toBe(401);
  });
});
