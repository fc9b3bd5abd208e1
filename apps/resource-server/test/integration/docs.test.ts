import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  checkOpenApiDocument,
  mismatchedRequirements,
  mountedRouters,
  type OpenApiDocument,
  undocumentedRoutes,
} from '@portcullis/service-kit';
import type { ZodType } from 'zod';
import { meView } from '../../src/http/me-operations.js';
import { itemListView, itemStatisticsView, itemView } from '../../src/items/item-schemas.js';
import {
  createResourceServerOpenApiDocument,
  resourceServerOperations,
} from '../../src/resource-server-openapi.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

type Json = Record<string, unknown>;

/** `/docs` on the resource server: the page, the document, and the document against the real answers. */
describe('items API documentation', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  }, 30_000);
  afterAll(async () => stack?.close());

  const openApiDocument = async () =>
    (await (await stack.api.request('/docs/openapi.json')).json()) as OpenApiDocument;

  it('documents every route of every router the resource server mounts, and nothing else', () => {
    const routers = mountedRouters(stack.api.container.app);
    expect(routers.length).toBeGreaterThanOrEqual(2);
    expect(undocumentedRoutes(routers, resourceServerOperations)).toEqual({ undocumented: [], unrouted: [] });
  });

  it('documents for every route exactly the requirement its guard enforces', () => {
    const routers = mountedRouters(stack.api.container.app);
    expect(mismatchedRequirements(routers, resourceServerOperations)).toEqual([]);
  });

  it('serves a structurally valid OpenAPI 3.1 document without a token', async () => {
    const response = await stack.api.request('/docs/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document).toEqual(
      JSON.parse(JSON.stringify(createResourceServerOpenApiDocument(stack.api.config))),
    );
    expect(checkOpenApiDocument(document)).toEqual([]);
    expect(Object.keys(document.paths)).toEqual([
      '/items',
      '/items/statistics',
      '/items/{id}',
      '/me',
      '/token',
    ]);
    const oauth2 = document.components.securitySchemes.oauth2 as Json;
    const tokenUrl = `${stack.api.config.issuer}/token`;
    expect(oauth2.flows).toEqual({
      clientCredentials: { tokenUrl, scopes: expect.objectContaining({ 'items:read': 'Read items' }) },
      password: { tokenUrl, scopes: expect.objectContaining({ 'items:delete': expect.any(String) }) },
    });
  });

  it('states each route’s requirement as the routes enforce it', async () => {
    const document = await openApiDocument();
    const requirement = (method: string, path: string) =>
      (document.paths[path]![method] as Json)['x-portcullis-requirement'];
    expect(requirement('get', '/items')).toEqual({ scopes: ['items:read'], permissions: ['items:read'] });
    expect(requirement('get', '/items/statistics')).toEqual({ scopes: ['items:read'], roles: ['admin'] });
    expect(requirement('delete', '/items/{id}')).toEqual({
      scopes: ['items:delete'],
      permissions: ['items:delete'],
    });
    expect(requirement('get', '/me')).toEqual({});
    const remove = document.paths['/items/{id}']?.delete as Json;
    expect(remove.security).toEqual([{ oauth2: ['items:delete'] }, { bearerAuth: [] }]);
    expect(Object.keys(remove.responses as Json)).toEqual(['204', '401', '403', '404', '503']);
  });

  it('refuses what the document says it refuses: a token with too little scope gets the documented 403', async () => {
    const token = await stack.serviceToken('docs-reader', ['viewer'], ['items:read']);
    const refused = await stack.api.request('/items', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const document = await openApiDocument();
    expect((document.paths['/items']!.post as Json)['x-portcullis-requirement']).toEqual({
      scopes: ['items:write'],
      permissions: ['items:write'],
    });
  });

  it('describes the answers exactly as the routes write them', async () => {
    const { token } = await stack.userToken('docs-admin', ['admin']);
    const expectShape = async (path: string, view: ZodType, init: RequestInit = {}) => {
      const response = await stack.api.request(path, { token, ...init });
      const body = await response.json();
      expect({ path, issues: view.safeParse(body).error?.issues ?? [] }).toEqual({ path, issues: [] });
      return body as Json;
    };
    const created = await expectShape('/items', itemView, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'documented', description: 'as written' }),
    });
    await expectShape(`/items/${created.id}`, itemView);
    await expectShape('/items', itemListView);
    await expectShape('/items/statistics', itemStatisticsView);
    await expectShape('/me', meView);
  });

  it('serves the Swagger UI page without a token, with a CSP that lets it reach the issuer', async () => {
    const response = await stack.api.request('/docs');
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${new URL(stack.api.config.issuer).origin}`);
    expect(await response.text()).toContain('data-openapi-url="/docs/openapi.json"');
    const items = await stack.api.request('/items');
    expect(items.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
