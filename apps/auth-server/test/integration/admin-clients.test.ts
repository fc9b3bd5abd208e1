import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertRole } from '@portcullis/db';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { hashClientSecret } from '../../src/credentials/client-secret.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource, testScopes } from '../support/test-environment.js';

interface ClientBody {
  id: string;
  name: string;
  grantTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  firstParty: boolean;
  introspection: boolean;
  disabled: boolean;
  roles: string[];
  permissions: string[];
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

interface Problem {
  status: number;
  title: string;
  detail?: string;
  resource?: string;
  errors?: { path: string; message: string }[];
}

const service = { grantTypes: ['client_credentials'], scopes: ['items:read'] };

/**
 * `/clients` on the admin listener: every route, its authorization, validation and audit, and what each
 * change does at the public token endpoint (oidc-provider caches clients by metadata hash, so the checks
 * go through real token requests).
 */
describe('admin API: clients', () => {
  let server: TestAuthServer;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await upsertRole(server.prisma, { name: 'inventory', permissions: ['items:read', 'stock:count'] });
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    viewer = await adminTokenWith(server, ['admin:clients:read']);
    await server.addUser({ username: 'uma', password: 'long enough' });
  }, 30_000);
  afterAll(async () => server?.close());

  const send = (method: string, path: string, body?: unknown, token = admin) =>
    adminRequest(server, path, token, { method, body });
  const create = async (body: Record<string, unknown>) => {
    const response = await send('POST', '/clients', body);
    expect(response.status).toBe(201);
    return (await response.json()) as ClientBody & { clientSecret: string };
  };
  const clientCredentials = (id: string, secret: string) =>
    server.token({ grant_type: 'client_credentials', scope: 'items:read' }, { id, secret });
  const auditOf = async (type: string) => {
    await server.container.flushAudit();
    return server.prisma.auditEvent.findMany({ where: { type }, orderBy: { occurredAt: 'asc' } });
  };
  const expectProblem = async (response: Response, status: number): Promise<Problem> => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()) as Problem;
  };
  const pathsOf = (problem: Problem) => problem.errors?.map((error) => error.path);

  it('creates a client whose secret is shown once and works at the token endpoint at once', async () => {
    const response = await send('POST', '/clients', {
      id: 'billing',
      name: 'Billing service',
      ...service,
      roles: ['inventory'],
      permissions: ['reports:read'],
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/clients/billing');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { clientSecret, ...client } = (await response.json()) as ClientBody & { clientSecret: string };
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toEqual({
      id: 'billing',
      name: 'Billing service',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      firstParty: false,
      introspection: false,
      disabled: false,
      roles: ['inventory'],
      permissions: ['reports:read'],
      hasSecret: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const token = await clientCredentials('billing', clientSecret);
    expect(token.status).toBe(200);
    const { payload } = await server.verifyAccessToken(token.body.access_token as string, testResource);
    expect(payload).toMatchObject({
      client_id: 'billing',
      roles: ['inventory'],
      permissions: ['items:read', 'reports:read', 'stock:count'],
    });

    const read = await send('GET', '/clients/billing', undefined, viewer);
    expect(await read.json()).toEqual(client);
    const [event] = await auditOf('admin.client.created');
    expect(event).toMatchObject({
      subject: 'billing',
      actor: expect.stringMatching(/^admin-/),
      clientId: expect.stringMatching(/^admin-/),
      details: { after: client },
    });
  });

  it('creates a first-party password client using client_secret_post', async () => {
    const created = await create({
      id: 'web-app',
      grantTypes: ['password', 'refresh_token'],
      scopes: testScopes,
      firstParty: true,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    expect(created).toMatchObject({ name: 'web-app', tokenEndpointAuthMethod: 'client_secret_post' });
    const login = await server.token({
      grant_type: 'password',
      username: 'uma',
      password: 'long enough',
      client_id: 'web-app',
      client_secret: created.clientSecret,
    });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toEqual(expect.any(String));
  });

  it.each([
    ['password without firstParty', { grantTypes: ['password'], scopes: [] }, ['firstParty']],
    ['refresh_token without password', { grantTypes: ['refresh_token'], scopes: [] }, ['grantTypes']],
    ['a scope the server does not know', { ...service, scopes: ['reports:read'] }, ['scopes']],
    [
      'the admin scope on a password client that is not first-party',
      { grantTypes: ['password'], scopes: ['admin'] },
      ['firstParty', 'scopes'],
    ],
    ['an unsupported grant type', { grantTypes: ['authorization_code'], scopes: [] }, ['grantTypes.0']],
    ['no grant type', { grantTypes: [], scopes: [] }, ['grantTypes']],
    ['a repeated scope', { ...service, scopes: ['items:read', 'items:read'] }, ['scopes']],
    ['an unknown auth method', { ...service, tokenEndpointAuthMethod: 'none' }, ['tokenEndpointAuthMethod']],
    ['a client secret chosen by the caller', { ...service, secret: 'mine' }, ['']],
  ])('refuses %s with a 400 naming the field, creating nothing', async (_case, settings, fields) => {
    const problem = await expectProblem(await send('POST', '/clients', { id: 'refused', ...settings }), 400);
    expect(pathsOf(problem)).toEqual(fields);
    await expectProblem(await send('GET', '/clients/refused'), 404);
  });

  it('refuses an id that would need escaping', async () => {
    const problem = await expectProblem(await send('POST', '/clients', { id: 'a b:c', ...service }), 400);
    expect(pathsOf(problem)).toEqual(['id']);
  });

  it('answers 409 for a taken id and 404 for an unknown role, creating nothing', async () => {
    const conflict = await expectProblem(await send('POST', '/clients', { id: 'billing', ...service }), 409);
    expect(conflict.detail).toContain('client already exists');
    const unknownRole = await send('POST', '/clients', { id: 'orphan', ...service, roles: ['ghost'] });
    expect(await expectProblem(unknownRole, 404)).toMatchObject({ resource: 'role' });
    await expectProblem(await send('GET', '/clients/orphan'), 404);
  });

  it('lists with paging and search', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) await create({ id, ...service });
    const first = (await (await send('GET', '/clients?q=PAGE-&limit=2', undefined, viewer)).json()) as {
      clients: ClientBody[];
      nextCursor: string;
    };
    expect(first.clients.map((client) => client.id)).toEqual(['page-a', 'page-b']);
    expect(JSON.stringify(first)).not.toMatch(/"(clientSecret|secretHash|client_secret)"/);
    const second = await send('GET', `/clients?q=page-&limit=2&after=${first.nextCursor}`, undefined, viewer);
    expect(await second.json()).toMatchObject({
      clients: [expect.objectContaining({ id: 'page-c' })],
      nextCursor: null,
    });
    await expectProblem(await send('GET', '/clients?after=garbage'), 400);
    expect(pathsOf(await expectProblem(await send('GET', '/clients?limit=500'), 400))).toEqual(['limit']);
    expect(pathsOf(await expectProblem(await send('GET', '/clients?page=2'), 400))).toEqual(['']);
  });

  it('updates a client and audits before and after; refuses a change the token endpoint could not serve', async () => {
    await create({ id: 'renamed', ...service });
    const response = await send('PATCH', '/clients/renamed', { name: 'Renamed', scopes: testScopes });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'Renamed', scopes: testScopes });
    const [event] = await auditOf('admin.client.updated');
    expect(event).toMatchObject({
      subject: 'renamed',
      details: {
        before: { name: 'renamed', scopes: ['items:read'] },
        after: { name: 'Renamed', scopes: testScopes },
        artifactsDeleted: 0,
      },
    });

    // Checked against the stored client: only the changed field is in the body.
    const firstPartyOff = await send('PATCH', '/clients/web-app', { firstParty: false });
    expect(pathsOf(await expectProblem(firstPartyOff, 400))).toEqual(['firstParty']);
    // A first-party password client may carry `admin` (its users' tokens hold only their own permissions);
    // taking first-party away then breaks the stored admin scope too.
    const adminForUsers = await send('PATCH', '/clients/web-app', { scopes: ['admin'] });
    expect(adminForUsers.status).toBe(200);
    const notFirstParty = await send('PATCH', '/clients/web-app', { firstParty: false });
    expect(pathsOf(await expectProblem(notFirstParty, 400))).toEqual(['firstParty', 'scopes']);
    expect(await (await send('GET', '/clients/web-app')).json()).toMatchObject({ firstParty: true });
    await expectProblem(await send('PATCH', '/clients/renamed', {}), 400);
    await expectProblem(await send('PATCH', '/clients/ghost', { name: 'x' }), 404);
    await expectProblem(await send('PATCH', '/clients/ghost', { scopes: [] }), 404);
  });

  it('disables a client: no more tokens, its refresh tokens are gone for good, the count is audited', async () => {
    const web = await create({
      id: 'web-disabled',
      grantTypes: ['password', 'refresh_token', 'client_credentials'],
      scopes: testScopes,
      firstParty: true,
    });
    const basic = { id: 'web-disabled', secret: web.clientSecret };
    const login = await server.token(
      { grant_type: 'password', username: 'uma', password: 'long enough' },
      basic,
    );
    const refreshToken = login.body.refresh_token as string;
    expect(refreshToken).toEqual(expect.any(String));

    const response = await send('PATCH', '/clients/web-disabled', { disabled: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ disabled: true });
    const refused = await clientCredentials(basic.id, basic.secret);
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const [event] = await auditOf('admin.client.disabled');
    expect(event).toMatchObject({
      subject: 'web-disabled',
      // The password login stored a Grant and a RefreshToken (JWT access tokens are not stored).
      details: { before: { disabled: false }, after: { disabled: true }, artifactsDeleted: 2 },
    });

    await send('PATCH', '/clients/web-disabled', { disabled: false });
    expect((await clientCredentials(basic.id, basic.secret)).status).toBe(200);
    const revived = await server.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, basic);
    expect(revived.body.error).toBe('invalid_grant');
  });

  it('rotates the secret: the old one is refused at once, the new one works, neither is audited', async () => {
    const { clientSecret: oldSecret } = await create({ id: 'rotating', ...service });
    expect((await clientCredentials('rotating', oldSecret)).status).toBe(200);

    const response = await send('POST', '/clients/rotating/secret');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { clientId, clientSecret: newSecret } = (await response.json()) as {
      clientId: string;
      clientSecret: string;
    };
    expect(clientId).toBe('rotating');
    expect(newSecret).not.toBe(oldSecret);
    expect(await clientCredentials('rotating', oldSecret)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect((await clientCredentials('rotating', newSecret)).status).toBe(200);

    const [event] = await auditOf('admin.client.secret_rotated');
    expect(event).toMatchObject({ subject: 'rotating', actor: expect.stringMatching(/^admin-/) });
    const everyEvent = JSON.stringify(await server.prisma.auditEvent.findMany());
    for (const secret of [oldSecret, newSecret]) {
      expect(everyEvent).not.toContain(secret);
      expect(everyEvent).not.toContain(hashClientSecret(secret, server.config.clientSecretPepper));
    }
    expect(await (await send('GET', '/clients/rotating')).text()).not.toContain(newSecret);
    await expectProblem(await send('POST', '/clients/ghost/secret'), 404);
  });

  it('deletes a client with its grants: its secret no longer gets a token, reading it answers 404', async () => {
    const { clientSecret } = await create({
      id: 'doomed',
      grantTypes: ['password', 'refresh_token'],
      scopes: testScopes,
      firstParty: true,
    });
    const basic = { id: 'doomed', secret: clientSecret };
    const login = await server.token(
      { grant_type: 'password', username: 'uma', password: 'long enough' },
      basic,
    );
    expect(login.status).toBe(200);

    expect((await send('DELETE', '/clients/doomed')).status).toBe(204);
    const refused = await server.token(
      { grant_type: 'password', username: 'uma', password: 'long enough' },
      basic,
    );
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    await expectProblem(await send('GET', '/clients/doomed'), 404);
    await expectProblem(await send('DELETE', '/clients/doomed'), 404);
    const [event] = await auditOf('admin.client.deleted');
    expect(event).toMatchObject({
      subject: 'doomed',
      details: { before: { id: 'doomed', disabled: false }, artifactsDeleted: 2 },
    });
  });

  it('assigns and unassigns roles and direct permissions; tokens carry them at the next request', async () => {
    const { clientSecret } = await create({ id: 'worker', ...service });
    const permissionsInToken = async () => {
      const token = await clientCredentials('worker', clientSecret);
      return (await server.verifyAccessToken(token.body.access_token as string)).payload.permissions;
    };

    const withRole = await send('POST', '/clients/worker/roles', { roles: ['inventory'] });
    expect(await withRole.json()).toMatchObject({ id: 'worker', roles: ['inventory'], permissions: [] });
    const withPermission = await send('POST', '/clients/worker/permissions', {
      permissions: ['items:purge'],
    });
    expect(await withPermission.json()).toMatchObject({ roles: ['inventory'], permissions: ['items:purge'] });
    expect(await permissionsInToken()).toEqual(['items:purge', 'items:read', 'stock:count']);

    const withoutRole = await send('DELETE', '/clients/worker/roles/inventory');
    expect(await withoutRole.json()).toMatchObject({ roles: [], permissions: ['items:purge'] });
    const withoutPermission = await send('DELETE', '/clients/worker/permissions/items:purge');
    expect(await withoutPermission.json()).toMatchObject({ roles: [], permissions: [] });
    expect(await permissionsInToken()).toEqual([]);

    expect(
      await expectProblem(await send('POST', '/clients/worker/roles', { roles: ['ghost'] }), 404),
    ).toMatchObject({ resource: 'role' });
    await expectProblem(await send('POST', '/clients/ghost/roles', { roles: ['inventory'] }), 404);
    await expectProblem(await send('DELETE', '/clients/ghost/permissions/items:read'), 404);
    expect(
      pathsOf(await expectProblem(await send('POST', '/clients/worker/roles', { roles: [] }), 400)),
    ).toEqual(['roles']);

    const assigned = await auditOf('admin.client.roles_assigned');
    expect(assigned.at(-1)).toMatchObject({
      subject: 'worker',
      details: { roles: ['inventory'], after: { roles: ['inventory'], permissions: [] } },
    });
    expect(await auditOf('admin.client.permissions_granted')).toEqual([
      expect.objectContaining({ details: { permissions: ['items:purge'], after: expect.any(Object) } }),
    ]);
    expect(await auditOf('admin.client.role_unassigned')).toEqual([
      expect.objectContaining({ details: { role: 'inventory', after: expect.any(Object) } }),
    ]);
    expect(await auditOf('admin.client.permission_revoked')).toEqual([
      expect.objectContaining({
        details: { permission: 'items:purge', after: { roles: [], permissions: [] } },
      }),
    ]);
  });

  it('lets a read-only admin read clients but not change them', async () => {
    expect((await send('GET', '/clients', undefined, viewer)).status).toBe(200);
    expect((await send('GET', '/clients/billing', undefined, viewer)).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/clients', { id: 'nope', ...service }],
      ['PATCH', '/clients/billing', { disabled: true }],
      ['POST', '/clients/billing/secret', undefined],
      ['DELETE', '/clients/billing', undefined],
      ['POST', '/clients/billing/roles', { roles: ['inventory'] }],
      ['DELETE', '/clients/billing/roles/inventory', undefined],
      ['POST', '/clients/billing/permissions', { permissions: ['x:y'] }],
      ['DELETE', '/clients/billing/permissions/reports:read', undefined],
    ];
    for (const [method, path, body] of writes) {
      const refused = await send(method, path, body, viewer);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
    expect(await (await send('GET', '/clients/billing')).json()).toMatchObject({
      disabled: false,
      roles: ['inventory'],
      permissions: ['reports:read'],
    });
  });

  it('refuses admins of other resources, tokens for other audiences and requests without a token', async () => {
    const rolesAdmin = await adminTokenWith(server, ['admin:roles:read', 'admin:roles:write']);
    expect((await send('GET', '/clients', undefined, rolesAdmin)).status).toBe(403);
    expect((await send('POST', '/clients', { id: 'nope', ...service }, rolesAdmin)).status).toBe(403);
    const { clientSecret } = await create({
      id: 'items-only',
      ...service,
      permissions: [...ADMIN_PERMISSIONS],
    });
    const items = await clientCredentials('items-only', clientSecret);
    expect((await send('GET', '/clients', undefined, items.body.access_token as string)).status).toBe(401);
    expect((await adminRequest(server, '/clients', undefined)).status).toBe(401);
  });
});
