import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource, testScopes } from '../support/test-environment.js';

/** The admin listener: separate port, the guard in front, signing-key routes as its first resource. */
describe('admin API: listener, authorization and signing keys', () => {
  let server: TestAuthServer;
  let fullAdmin: string;
  let keysViewer: string;
  let usersAdmin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    fullAdmin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    keysViewer = await adminTokenWith(server, ['admin:keys:read']);
    usersAdmin = await adminTokenWith(server, ['admin:users:read', 'admin:users:write']);
  }, 30_000);
  afterAll(async () => server?.close());

  it('answers 401 without a token, naming the admin realm', async () => {
    const response = await adminRequest(server, '/keys', undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="portcullis-admin"');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a token for a resource server, even one holding every permission', async () => {
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
    const response = await adminRequest(server, '/keys', items.body.access_token as string);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('does not issue the admin scope for another audience', async () => {
    await server.addClient({
      id: 'sneaky',
      secret: 'sneaky-secret',
      grantTypes: ['client_credentials'],
      scopes: ['admin', ...testScopes],
    });
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin items:read', resource: testResource },
      { id: 'sneaky', secret: 'sneaky-secret' },
    );
    // Scopes are per audience: oidc-provider drops the admin scope from an items token.
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('items:read');
  });

  it('gives 403 insufficient_scope to an admin without the keys permission', async () => {
    const response = await adminRequest(server, '/keys', usersAdmin);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('lets a read-only admin list keys but not rotate them', async () => {
    const list = await adminRequest(server, '/keys', keysViewer);
    expect(list.status).toBe(200);
    const { keys } = (await list.json()) as { keys: { kid: string; status: string }[] };
    expect(keys).toEqual([expect.objectContaining({ status: 'active', alg: 'ES256' })]);
    expect(JSON.stringify(keys)).not.toMatch(/"d"|private/i);
    expect((await adminRequest(server, '/keys/rotate', keysViewer, { method: 'POST' })).status).toBe(403);
  });

  it('rotates the signing key, publishes it as pending and audits who did it', async () => {
    const response = await adminRequest(server, '/keys/rotate', fullAdmin, {
      method: 'POST',
      body: { activateInSeconds: 600 },
    });
    expect(response.status).toBe(201);
    const { kid } = (await response.json()) as { kid: string };
    const { keys } = (await (await adminRequest(server, '/keys', fullAdmin)).json()) as {
      keys: { kid: string; status: string }[];
    };
    expect(keys.find((key) => key.kid === kid)).toMatchObject({ status: 'pending' });
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({ where: { type: 'admin.key.rotated' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ clientId: expect.stringMatching(/^admin-/), details: { kid } });
  });

  it('refuses bad input with a problem listing the field', async () => {
    const response = await adminRequest(server, '/keys/rotate', fullAdmin, {
      method: 'POST',
      body: { activateInSeconds: -1 },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [expect.objectContaining({ path: 'activateInSeconds' })],
    });
  });

  it('is not reachable through the public listener', async () => {
    const response = await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${fullAdmin}` } });
    expect(response.status).toBe(404);
  });
});
