import type { ApiOperation } from './api-operation.js';
import { openApiPath } from './build-openapi-document.js';

/** What is read of an @koa/router Router: its layers' paths, methods and middleware. */
export interface RouteLayers {
  stack: readonly { path: string | RegExp; methods: readonly string[]; stack?: readonly unknown[] }[];
}

export interface RouteSignature {
  /** Lower case, as in ApiOperation. */
  method: string;
  /** In @koa/router form, prefix included. */
  path: string;
}

export interface RouteDocumentationGaps {
  /** Routes that answer requests but have no operation. */
  undocumented: RouteSignature[];
  /** Operations that describe a route no router has. */
  unrouted: RouteSignature[];
}

/**
 * Compares routers with operations: a route with no operation is undocumented, an operation with no route
 * documents something that does not exist. HEAD is ignored (@koa/router adds it to every GET); middleware
 * layers (`router.use`) have no methods and are skipped. Paths compare in OpenAPI form, so `/users/` and
 * `/users`, `:id` and `{id}` are the same route.
 *
 * @example
 * expect(undocumentedRoutes([createUserRoutes(deps)], userOperations)).toEqual({ undocumented: [], unrouted: [] });
 */
export function undocumentedRoutes(
  routers: RouteLayers | readonly RouteLayers[],
  operations: readonly ApiOperation[],
): RouteDocumentationGaps {
  const list: readonly RouteLayers[] = Array.isArray(routers) ? routers : [routers as RouteLayers];
  const routes: RouteSignature[] = list.flatMap((router) =>
    router.stack.flatMap((layer) =>
      [...new Set(layer.methods)]
        .filter((method) => method !== 'HEAD')
        .map((method) => ({ method: method.toLowerCase(), path: String(layer.path) })),
    ),
  );
  const key = (route: RouteSignature) => `${route.method} ${openApiPath(route.path)}`;
  const documented = new Set(operations.map(key));
  const routed = new Set(routes.map(key));
  return {
    undocumented: routes.filter((route) => !documented.has(key(route))),
    unrouted: operations
      .filter((operation) => !routed.has(key(operation)))
      .map(({ method, path }) => ({ method, path })),
  };
}

export interface RequirementMismatch extends RouteSignature {
  /** What the route's guard middleware enforces (`requirement` on @portcullis/guard's middleware), or null. */
  enforced: unknown;
  /** What its operation's `security` documents, or null for an operation without a token. */
  documented: unknown;
}

/**
 * Routes whose documented `security` differs from the requirement their guard middleware enforces, so a
 * permission changed in a router but not in its operations file (or the reverse) fails a test. Requirements
 * compare as data, ignoring key order and empty lists.
 *
 * @example
 * expect(mismatchedRequirements(mountedRouters(app), operations)).toEqual([]);
 */
export function mismatchedRequirements(
  routers: readonly RouteLayers[],
  operations: readonly ApiOperation[],
): RequirementMismatch[] {
  const documented = new Map(
    operations.map((operation) => [
      `${operation.method} ${openApiPath(operation.path)}`,
      operation.security ?? null,
    ]),
  );
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) => {
      const enforced = enforcedRequirement(layer.stack ?? []);
      return [...new Set(layer.methods)]
        .filter((method) => method !== 'HEAD')
        .map((method) => ({ method: method.toLowerCase(), path: String(layer.path) }))
        .filter((route) => documented.has(`${route.method} ${openApiPath(route.path)}`))
        .map((route) => ({
          ...route,
          enforced,
          documented: documented.get(`${route.method} ${openApiPath(route.path)}`) ?? null,
        }))
        .filter((route) => canonical(route.enforced) !== canonical(route.documented));
    }),
  );
}

function enforcedRequirement(middleware: readonly unknown[]): unknown {
  const guard = middleware.find(
    (candidate) => typeof candidate === 'function' && 'requirement' in candidate,
  ) as { requirement: unknown } | undefined;
  return guard?.requirement ?? null;
}

/** JSON with sorted keys and without empty lists, so `{scopes: [], permissions: [x]}` equals `{permissions: [x]}`. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>)
        .filter(([, entry]) => !(Array.isArray(entry) && entry.length === 0) && entry !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  });
}

/**
 * The @koa/router Routers mounted on a Koa app (each `router.routes()` middleware carries its router), so a
 * test can check every route table an app really serves rather than a list that could fall out of date.
 *
 * @example
 * expect(undocumentedRoutes(mountedRouters(container.app), operations).undocumented).toEqual([]);
 */
export function mountedRouters(app: { middleware: readonly unknown[] }): RouteLayers[] {
  return app.middleware.flatMap((middleware) => {
    const router = (middleware as { router?: Partial<RouteLayers> }).router;
    return router && Array.isArray(router.stack) ? [router as RouteLayers] : [];
  });
}
