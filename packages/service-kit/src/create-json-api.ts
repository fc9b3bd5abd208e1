import Koa, { type Middleware } from 'koa';
import type { ReadinessCheck } from './health-routes.js';
import { createHealthRoutes } from './health-routes.js';
import { methodProblems } from './method-problems.js';
import { problemResponses } from './problem.js';
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
  logger: { error(object: object, message: string): void };
  /** Trust X-Forwarded-* (only behind your own proxy). */
  trustProxy: boolean;
  /**
   * With `trustProxy`: how many proxies of ours forward to this app (Koa's `maxIpsCount`). Default 1.
   * `ctx.ip` is then the X-Forwarded-For entry that many from the right — the address the outermost of our
   * proxies saw. Entries further left are written by the caller (Koa's default would take the leftmost,
   * letting a caller pick its own address for per-address limits).
   */
  proxyHops?: number;
  readiness: Record<string, ReadinessCheck>;
  routers: RouteTable[];
  /** `Cache-Control: no-store` on every answer (admin APIs: live security state). Default false. */
  noStore?: boolean;
}

/**
 * A JSON API's pipeline, outermost first, in one visible list (STYLE.md §4): security headers, the problem
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
  app.use(securityHeaders);
  if (options.noStore) app.use(noStore);
  app.use(problemResponses(options.logger));
  app.use(createHealthRoutes(options.readiness));
  app.use(methodProblems);
  for (const router of options.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}

async function noStore(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  await next();
}
