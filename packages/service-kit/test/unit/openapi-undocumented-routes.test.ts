import { describe, expect, it } from '@jest/globals';
// The apps' router; service-kit reads its layers structurally and does not depend on it.
import Router from '@koa/router';
import { createJsonApi } from '../../src/create-json-api.js';
import type { ApiOperation } from '../../src/openapi/api-operation.js';
import {
  mismatchedRequirements,
  mountedRouters,
  undocumentedRoutes,
} from '../../src/openapi/undocumented-routes.js';
import { silentLogger } from './capture-logs.js';

const handler = () => undefined;

function widgetRoutes(): Router {
  const router = new Router({ prefix: '/widgets' });
  router.use(async (_ctx, next) => next());
  router.get('/', handler);
  router.post('/', handler);
  router.get('/:id', handler);
  router.delete('/:id/parts/:part', handler);
  return router;
}

const operation = (method: ApiOperation['method'], path: string): ApiOperation => ({
  method,
  path,
  summary: `${method} ${path}`,
  tag: 'widgets',
  responses: { 200: { description: 'ok' } },
});

const documented = [
  operation('get', '/widgets'),
  operation('post', '/widgets'),
  operation('get', '/widgets/:id'),
  operation('delete', '/widgets/:id/parts/:part'),
];

describe('undocumentedRoutes', () => {
  it('finds nothing when every route has an operation and every operation a route', () => {
    expect(undocumentedRoutes(widgetRoutes(), documented)).toEqual({ undocumented: [], unrouted: [] });
  });

  it('reports a route with no operation, ignoring HEAD and middleware layers', () => {
    const router = widgetRoutes();
    router.put('/:id', handler);
    expect(undocumentedRoutes(router, documented)).toEqual({
      undocumented: [{ method: 'put', path: '/widgets/:id' }],
      unrouted: [],
    });
  });

  it('reports an operation with no route', () => {
    expect(undocumentedRoutes(widgetRoutes(), [...documented, operation('patch', '/widgets/:id')])).toEqual({
      undocumented: [],
      unrouted: [{ method: 'patch', path: '/widgets/:id' }],
    });
  });

  it('compares paths in OpenAPI form: a trailing slash or {id} for :id is the same route', () => {
    const written = [
      operation('get', '/widgets/'),
      operation('post', '/widgets'),
      operation('get', '/widgets/{id}'),
      operation('delete', '/widgets/:id/parts/:part'),
    ];
    expect(undocumentedRoutes(widgetRoutes(), written)).toEqual({ undocumented: [], unrouted: [] });
  });

  it('checks several routers against the operations of all of them', () => {
    const me = new Router();
    me.get('/me', handler);
    expect(undocumentedRoutes([widgetRoutes(), me], documented)).toEqual({
      undocumented: [{ method: 'get', path: '/me' }],
      unrouted: [],
    });
  });
});

describe('mountedRouters', () => {
  it('finds the routers a JSON API mounts, in order', () => {
    const widgets = widgetRoutes();
    const me = new Router();
    const app = createJsonApi({
      logger: silentLogger,
      trustProxy: false,
      readiness: {},
      routers: [widgets, me],
    });
    expect(mountedRouters(app)).toEqual([widgets, me]);
  });
});

describe('mismatchedRequirements', () => {
  /** What @portcullis/guard's `require()` returns: middleware carrying the requirement it enforces. */
  const requiring = (requirement: object) =>
    Object.assign(async (_ctx: unknown, next: () => Promise<void>) => next(), { requirement });
  const guardedRoutes = () => {
    const router = new Router({ prefix: '/widgets' });
    router.get('/', requiring({ scopes: ['widgets:read'] }), handler);
    router.post('/', requiring({ scopes: ['widgets:write'], permissions: ['widgets:write'] }), handler);
    router.get('/public', handler);
    return router;
  };
  const secured = (
    method: ApiOperation['method'],
    path: string,
    security?: ApiOperation['security'],
  ): ApiOperation => ({ ...operation(method, path), ...(security ? { security } : {}) });

  it('finds nothing when every documented security equals the enforced requirement', () => {
    const operations = [
      secured('get', '/widgets', { scopes: ['widgets:read'], roles: [] }),
      secured('post', '/widgets', { permissions: ['widgets:write'], scopes: ['widgets:write'] }),
      secured('get', '/widgets/public'),
    ];
    expect(mismatchedRequirements([guardedRoutes()], operations)).toEqual([]);
  });

  it('reports a route whose documentation claims less, more or nothing', () => {
    const operations = [
      secured('get', '/widgets'),
      secured('post', '/widgets', { scopes: ['widgets:write'] }),
      secured('get', '/widgets/public', { scopes: ['widgets:read'] }),
    ];
    expect(mismatchedRequirements([guardedRoutes()], operations)).toEqual([
      { method: 'get', path: '/widgets', enforced: { scopes: ['widgets:read'] }, documented: null },
      {
        method: 'post',
        path: '/widgets',
        enforced: { scopes: ['widgets:write'], permissions: ['widgets:write'] },
        documented: { scopes: ['widgets:write'] },
      },
      { method: 'get', path: '/widgets/public', enforced: null, documented: { scopes: ['widgets:read'] } },
    ]);
  });
});
