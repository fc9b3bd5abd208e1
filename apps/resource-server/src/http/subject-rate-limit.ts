import { createHash } from 'node:crypto';
import type { Principal } from '@portcullis/guard';
import type { GuardDeclaration, GuardState, KoaGuard } from '@portcullis/guard/koa';
import {
  createRateLimiter,
  type RateLimiter,
  type RateLimitRedis,
  type RateLimitResult,
  type RateLimitStoreChange,
} from '@portcullis/rate-limit';
import { applyRateLimit, writeTooManyRequestsProblem } from '@portcullis/rate-limit/koa';
import type { Context, Middleware, Next } from 'koa';

export interface SubjectRateLimitOptions {
  /** The shared Redis (fail-fast client); undefined counts per instance only. */
  redis?: RateLimitRedis | undefined;
  /** Prefix of the counters' Redis keys, e.g. `portcullis:rate-limit:`. */
  keyPrefix: string;
  /** Requests per minute per subject, on each route. */
  perMinute: number;
  /**
   * Per-minute limits for particular routes, by the router's path template: `'DELETE /items/:id'` for one
   * method, `'/items/:id'` for every method of that path. The method-specific entry wins.
   */
  routes?: Readonly<Record<string, number>>;
  /** Told when counting moves to per-instance memory (Redis down) and back; for a log line. */
  onStoreChange?: (change: RateLimitStoreChange) => void;
  /** Told the policy name (`subject`, or a route's) of every request refused with 429; for a metric. */
  onRejected?: (limit: string) => void;
}

const ROUTE_KEY = /^(?:([A-Z]+) )?(\/\S*)$/;
const POLICY_NAME_MAX = 64;

/**
 * Per-subject limits on resource routes (DESIGN.md "Rate limiting"): each user — or client, for a
 * client_credentials token — gets `perMinute` requests per route, counted in Redis and shared by every
 * instance. The route is the @koa/router template that matched (`ctx._matchedRoute`, e.g. `/items/:id`),
 * never the raw path, so `/items/1` and `/items/2` share one budget. Must run after the guard (it reads
 * `ctx.state.principal`): wrap the guard with `withSubjectRateLimit` so every protected route gets it.
 *
 * @example
 * const limit = createSubjectRateLimit({ redis, keyPrefix: 'portcullis:rate-limit:', perMinute: 600, routes: { 'POST /items': 60 } });
 * const guard = withSubjectRateLimit(createKoaGuard({ verifier, realm: 'items' }), limit);
 */
export function createSubjectRateLimit(options: SubjectRateLimitOptions): Middleware<GuardState> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createSubjectRateLimit: options required');
  }
  const { redis, keyPrefix, perMinute, routes = {}, onStoreChange, onRejected } = options;
  if (onRejected !== undefined && typeof onRejected !== 'function') {
    throw new TypeError('createSubjectRateLimit: onRejected must be a function');
  }
  const refuse = (ctx: Context, result: RateLimitResult) => {
    onRejected?.(result.policy.name);
    writeTooManyRequestsProblem(ctx, result);
  };
  const limiter = (name: string, points: number): RateLimiter =>
    createRateLimiter({ redis, keyPrefix, name, points, durationSeconds: 60, onStoreChange });
  const fallback = limiter('subject', perMinute);
  const overrides = new Map<string, RateLimiter>();
  for (const [route, points] of Object.entries(routes)) {
    const match = ROUTE_KEY.exec(route);
    if (!match) {
      throw new TypeError(
        `createSubjectRateLimit: route ${JSON.stringify(route)} must be "<path template>" or "<METHOD> <path template>"`,
      );
    }
    const key = match[1] ? route : `* ${route}`;
    overrides.set(key, limiter(policyName(route), points));
  }

  return async function limitPerSubject(ctx: Context, next: Next): Promise<void> {
    const principal: Principal | undefined = ctx.state.principal;
    if (!principal) throw new Error('createSubjectRateLimit runs after the guard: no principal on ctx.state');
    const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    // Set by @koa/router for the matched layer; outside a router every request shares one budget.
    const template: string = (ctx as { _matchedRoute?: unknown })._matchedRoute?.toString() ?? '*';
    const routeLimiter = overrides.get(`${method} ${template}`) ?? overrides.get(`* ${template}`) ?? fallback;
    const result = await routeLimiter.consume(`${principal.kind}:${principal.subject}|${method} ${template}`);
    if (!applyRateLimit(ctx, result, refuse)) return;
    await next();
  };
}

/**
 * The guard with `limit` run right after it on every route it protects: same `authenticate()` and
 * `require()` (route options included), and the middleware still declares its `requirement` and
 * `acceptsApiKey` for the OpenAPI checks.
 *
 * @example
 * createItemRoutes({ guard: withSubjectRateLimit(guard, limit), prisma, maxBodyBytes });
 */
export function withSubjectRateLimit(guard: KoaGuard, limit: Middleware<GuardState>): KoaGuard {
  if (typeof limit !== 'function') throw new TypeError('withSubjectRateLimit: limit must be a middleware');
  const limited = (guarded: Middleware<GuardState> & GuardDeclaration) =>
    Object.assign(
      (ctx: Parameters<Middleware<GuardState>>[0], next: Next) => guarded(ctx, () => limit(ctx, next)),
      { requirement: guarded.requirement, acceptsApiKey: guarded.acceptsApiKey },
    );
  return {
    authenticate: (options) => limited(guard.authenticate(options)),
    require: (requirement, options) => limited(guard.require(requirement, options)),
  };
}

/** The route itself names its policy in RateLimit headers; a very long one is shortened to a hash. */
function policyName(route: string): string {
  if (route.length <= POLICY_NAME_MAX && !/["\\]/.test(route)) return route;
  return `route-${createHash('sha256').update(route).digest('hex').slice(0, 16)}`;
}
