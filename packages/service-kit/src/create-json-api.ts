import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import { allowedMethodsFor } from './allowed-methods-for.js';
import { corsAllowlist } from './cors-allowlist.js';
import { forwardedHeadersFromTrustedHops } from './forwarded-headers.js';
import type { ReadinessCheck } from './health-routes.js';
import { createHealthRoutes } from './health-routes.js';
import { methodProblems } from './method-problems.js';
import { problemResponses } from './problem.js';
import { requestContext } from './request-context.js';
import { securityHeaders } from './security-headers.js';

/**
 * What a route table (an @koa/router Router) offers. Its middleware is typed with the router's own context
 * (params, router), which Koa's plain Middleware type cannot name.
 */
export interface RouteTable {
  // biome-ignore lint/suspicious/noExplicitAny: any router's context; Koa checks nothing more at use().
  routes(): Middleware<any, any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  allowedMethods(): Middleware<any, any>;
}

export interface JsonApiOptions {
  /** Access-log and 5xx lines go through a child of it per request (requestContext). */
  logger: Logger;
  /** Trust X-Forwarded-* (only behind your own proxy). */
  trustProxy: boolean;
  /**
   * With `trustProxy`: how many proxies of ours forward to this app (Koa's `maxIpsCount`). Default 1.
   * `ctx.ip` is then the X-Forwarded-For entry that many from the right — the address the outermost of our
   * proxies saw — and `ctx.protocol` / `ctx.host` the X-Forwarded-Proto / -Host entry as far from the right.
   * Entries further left are written by the caller (Koa's default would take the leftmost, letting a caller
   * pick its own address for per-address limits, or pass plain http off as https).
   */
  proxyHops?: number;
  /** Browser origins allowed to call this API (corsAllowlist). Default none: CORS off. */
  corsOrigins?: readonly string[];
  readiness: Record<string, ReadinessCheck>;
  routers: RouteTable[];
  /** `Cache-Control: no-store` on every answer (admin APIs: live security state). Default false. */
  noStore?: boolean;
  /** Request counts and latency by route (createMetrics); recorded outermost, so every answer counts. */
  metrics?: { httpMiddleware: Middleware };
}

/** /healthz and /readyz answer GET only (createHealthRoutes); any other method is a 405, as on a router. */
const HEALTH_ROUTE_METHODS = { '/healthz': ['GET'], '/readyz': ['GET'] };

/**
 * A JSON API's pipeline, outermost first, in one visible list (STYLE.md §4): metrics, the trusted
 * X-Forwarded-* entries (behind proxies), request id and access log, security headers, CORS, the problem
 * serializer, /healthz and /readyz, problem bodies for 405/501, then the route tables.
 *
 * @example
 * const app = createJsonApi({ logger, trustProxy: false, readiness: { postgres: ping }, routers: [items] });
 * // Behind one load balancer of ours:
 * const proxied = createJsonApi({ logger, trustProxy: true, proxyHops: 1, readiness: {}, routers: [items] });
 */
export function createJsonApi<State>(options: JsonApiOptions): Koa<State> {
  const { proxyHops = 1 } = options;
  if (!Number.isSafeInteger(proxyHops) || proxyHops < 1) {
    throw new TypeError(`createJsonApi: proxyHops must be a positive integer, got ${proxyHops}`);
  }
  const app = new Koa<State>({
    proxy: options.trustProxy,
    maxIpsCount: options.trustProxy ? proxyHops : 0,
  });
  app.silent = true; // problemResponses logs what matters; Koa's default stderr dump would duplicate it.
  if (options.metrics) app.use(options.metrics.httpMiddleware);
  if (options.trustProxy) app.use(forwardedHeadersFromTrustedHops(proxyHops));
  app.use(requestContext(options.logger));
  app.use(securityHeaders);
  app.use(
    corsAllowlist({ origins: options.corsOrigins ?? [], allowMethods: routedMethods(options.routers) }),
  );
  if (options.noStore) app.use(noStore);
  app.use(problemResponses(options.logger));
  app.use(allowedMethodsFor(HEALTH_ROUTE_METHODS));
  app.use(createHealthRoutes(options.readiness));
  app.use(methodProblems);
  for (const router of options.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}

/**
 * The methods the route tables answer, for a CORS preflight: no more than the API has. Read from an
 * @koa/router Router's layers; a table that is not one adds none, and none found at all means GET and POST.
 */
function routedMethods(routers: readonly RouteTable[]): string[] {
  const methods = new Set<string>();
  for (const router of routers) {
    const { stack } = router as { stack?: readonly { methods?: readonly string[] }[] };
    for (const layer of stack ?? []) for (const method of layer.methods ?? []) methods.add(method);
  }
  return methods.size > 0 ? [...methods] : ['GET', 'POST'];
}

async function noStore(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  await next();
}
