import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createJsonApi } from '../../src/create-json-api.js';
import { createApiDocsRoutes } from '../../src/openapi/api-docs-routes.js';
import { buildOpenApiDocument } from '../../src/openapi/build-openapi-document.js';
import { silentLogger } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

const document = buildOpenApiDocument({
  title: 'Widgets API',
  version: '1.0.0',
  authorization: { issuer: 'https://auth.example.test' },
  operations: [
    {
      method: 'get',
      path: '/widgets',
      summary: 'List widgets',
      tag: 'widgets',
      security: { scopes: ['widgets:read'] },
      responses: { 200: { description: 'Widgets', body: z.object({ widgets: z.array(z.string()) }) } },
    },
  ],
});

let api: Listening;

beforeAll(async () => {
  const app = createJsonApi({
    logger: silentLogger,
    trustProxy: false,
    readiness: {},
    noStore: true,
    routers: [createApiDocsRoutes({ document, title: 'Widgets <API> & docs' })],
  });
  api = await listen(app);
});

afterAll(async () => api.close());

describe('createApiDocsRoutes', () => {
  it('serves the Swagger UI page with no inline script, under a CSP made for it', async () => {
    const response = await fetch(`${api.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self' https://auth.example.test; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const html = await response.text();
    expect(html).toContain('<title>Widgets &#60;API&#62; &#38; docs</title>');
    expect(html).toContain('data-openapi-url="/docs/openapi.json"');
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/ src="\/docs\/assets\/[a-z-]+\.js"/);
      expect(content?.trim()).toBe('');
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves every file the page references from the installed swagger-ui-dist', async () => {
    const html = await (await fetch(`${api.url}/docs`)).text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(references).toEqual(
      expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js']),
    );
    for (const reference of references) {
      const response = await fetch(`${api.url}${reference}`);
      expect({ reference, status: response.status }).toEqual({ reference, status: 200 });
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const bundle = await fetch(`${api.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await bundle.text()).toContain('SwaggerUIBundle');
    const init = await (await fetch(`${api.url}/docs/assets/docs-init.js`)).text();
    expect(init).toContain('persistAuthorization: false');
    expect(init).toContain('queryConfigEnabled: false');
  });

  it('serves the OpenAPI document as JSON', async () => {
    const response = await fetch(`${api.url}/docs/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual(document);
  });

  it('keeps the strict CSP everywhere else', async () => {
    for (const path of ['/docs/openapi.json', '/docs/assets/swagger-ui.css', '/healthz', '/nowhere']) {
      const response = await fetch(`${api.url}${path}`);
      expect({ path, csp: response.headers.get('content-security-policy') }).toEqual({
        path,
        csp: "default-src 'none'; frame-ancestors 'none'",
      });
    }
  });

  it('serves no other file: traversal, source maps and prototype names are 404 problems', async () => {
    for (const path of [
      '/docs/assets/../package.json',
      '/docs/assets/%2e%2e%2fpackage.json',
      '/docs/assets/..%2f..%2fpackage.json',
      '/docs/assets/swagger-ui-bundle.js.map',
      '/docs/assets/index.html',
      '/docs/assets/constructor',
      '/docs/assets/',
      '/docs/',
    ]) {
      const response = await fetch(`${api.url}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 404,
        type: 'application/problem+json',
      });
    }
  });

  it('answers HEAD like GET without a body, and other methods with a 405 problem naming GET and HEAD', async () => {
    const head = await fetch(`${api.url}/docs`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${api.url}/docs/openapi.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a base path that could not be a plain path, and a document that is not one', () => {
    for (const basePath of ['docs', '/docs/', '/do"cs', '/']) {
      expect(() => createApiDocsRoutes({ document, title: 'x', basePath })).toThrow(TypeError);
    }
    expect(() => createApiDocsRoutes({ document: {} as typeof document, title: 'x' })).toThrow(TypeError);
  });
});
