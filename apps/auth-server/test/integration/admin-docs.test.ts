import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  checkOpenApiDocument,
  mismatchedRequirements,
  mountedRouters,
  type OpenApiDocument,
  undocumentedRoutes,
} from '@portcullis/service-kit';
import { adminOperations, createAdminOpenApiDocument } from '../../src/admin/admin-openapi.js';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { userListView, userView } from '../../src/admin/user-schemas.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

type Json = Record<string, unknown>;

/** `/docs` on the admin listener: the page, the document, and the document against the routes it describes. */
describe('admin API documentation', () => {
  let server: TestAuthServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await addStandardRoles(server.prisma);
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
  }, 30_000);
  afterAll(async () => server?.close());

  const openApiDocument = async () =>
    (await (await fetch(`${server.adminUrl}/docs/openapi.json`)).json()) as OpenApiDocument;

  it('documents every route of every router the admin API mounts, and nothing else', () => {
    const routers = mountedRouters(server.container.adminApp);
    // users, keys, revocations, audit, roles, permissions, clients, metadata: a router added without an
    // operations file in admin-openapi.ts shows up here as undocumented routes.
    expect(routers.length).toBeGreaterThanOrEqual(8);
    expect(undocumentedRoutes(routers, adminOperations)).toEqual({ undocumented: [], unrouted: [] });
  });

  it('documents for every route exactly the requirement its guard enforces', () => {
    const routers = mountedRouters(server.container.adminApp);
    expect(mismatchedRequirements(routers, adminOperations)).toEqual([]);
  });

  it('serves a structurally valid OpenAPI 3.1 document without a token', async () => {
    const response = await fetch(`${server.adminUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document).toEqual(JSON.parse(JSON.stringify(createAdminOpenApiDocument(server.config))));
    expect(checkOpenApiDocument(document)).toEqual([]);
    expect(document.info.title).toBe('Portcullis admin API');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/users', '/users/{id}', '/users/{id}/roles/{role}', '/keys', '/token']),
    );
    const flows = (document.components.securitySchemes.oauth2 as Json).flows as Json;
    expect(flows).toEqual({
      clientCredentials: { tokenUrl: `${server.config.issuer}/token`, scopes: expect.any(Object) },
    });
  });

  it('states each route’s scope and admin permission', async () => {
    const document = await openApiDocument();
    const list = document.paths['/users']?.get as Json;
    expect(list.security).toEqual([{ oauth2: ['admin'] }, { bearerAuth: [] }]);
    expect(list['x-portcullis-requirement']).toEqual({
      scopes: ['admin'],
      permissions: ['admin:users:read'],
    });
    const remove = document.paths['/users/{id}']?.delete as Json;
    expect(remove['x-portcullis-requirement']).toEqual({
      scopes: ['admin'],
      permissions: ['admin:users:write'],
    });
    expect(Object.keys(remove.responses as Json)).toEqual(['204', '401', '403', '404']);
  });

  it('serves the Swagger UI page without a token, with a CSP that lets it reach the issuer', async () => {
    const response = await fetch(`${server.adminUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${new URL(server.config.issuer).origin}`);
    expect(csp).toContain("script-src 'self';");
    expect(await response.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    // The admin listener's other answers keep the strict policy.
    const users = await adminRequest(server, '/users', admin);
    expect(users.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('is not served on the public listener', async () => {
    expect((await fetch(`${server.url}/docs`)).status).toBe(404);
    expect((await fetch(`${server.url}/docs/openapi.json`)).status).toBe(404);
  });

  it('describes the /users answers exactly as the routes write them', async () => {
    const created = await adminRequest(server, '/users', admin, {
      method: 'POST',
      body: {
        username: 'docs-user',
        email: 'docs@example.test',
        password: 'correct horse',
        roles: ['viewer'],
      },
    });
    expect(created.status).toBe(201);
    const user = await created.json();
    expect(userView.safeParse(user).error?.issues ?? []).toEqual([]);
    const list = await (await adminRequest(server, '/users', admin)).json();
    expect(userListView.safeParse(list).error?.issues ?? []).toEqual([]);
  });

  it('describes every parameterless GET answer as the admin API really writes it', async () => {
    await adminRequest(server, '/roles', admin, {
      method: 'POST',
      body: { name: 'docs-role', permissions: ['docs:read'] },
    });
    const reads = adminOperations.filter(
      (operation) =>
        operation.method === 'get' && !operation.path.includes(':') && operation.responses[200]?.body,
    );
    expect(reads.map((operation) => operation.path)).toEqual(
      expect.arrayContaining(['/users', '/roles', '/keys']),
    );
    for (const operation of reads) {
      const response = await adminRequest(server, operation.path, admin);
      const body = await response.json();
      const parsed = operation.responses[200]?.body?.safeParse(body);
      expect({ path: operation.path, status: response.status, issues: parsed?.error?.issues ?? [] }).toEqual({
        path: operation.path,
        status: 200,
        issues: [],
      });
    }
  });

  it('documents a token endpoint that answers as described', async () => {
    const document = await openApiDocument();
    const token = document.paths['/token']?.post as Json;
    expect(token.servers).toEqual([{ url: server.config.issuer, description: expect.any(String) }]);
    const schemas = document.components.schemas as Record<string, Json>;
    const clientId = 'docs-admin-client';
    await server.addClient({
      id: clientId,
      secret: 'docs-secret',
      grantTypes: ['client_credentials'],
      scopes: ['admin'],
    });
    const granted = await server.token(
      { grant_type: 'client_credentials', scope: 'admin', resource: server.config.admin.resource },
      { id: clientId, secret: 'docs-secret' },
    );
    expect(granted.status).toBe(200);
    for (const field of schemas.TokenResponse!.required as string[])
      expect(granted.body).toHaveProperty(field);
    const refused = await server.token({ grant_type: 'password' }, { id: clientId, secret: 'docs-secret' });
    expect(refused.status).toBe(400);
    const errorCodes = ((schemas.TokenError!.properties as Json).error as Json).enum as string[];
    expect(errorCodes).toContain(refused.body.error);
    const badClient = await server.token(
      { grant_type: 'client_credentials' },
      { id: clientId, secret: 'wrong' },
    );
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
  });
});
