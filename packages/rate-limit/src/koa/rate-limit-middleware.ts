import type { Context, Middleware, Next } from 'koa';
import type { RateLimiter } from '../create-rate-limiter.js';
import { limitItem, policyItem } from '../rate-limit-headers.js';
import type { RateLimitResult } from '../rate-limit-result.js';

export interface RateLimitOptions {
  limiter: RateLimiter;
  /** What to count the request against; `undefined` lets it through uncounted (and without headers). */
  key: (ctx: Context) => string | undefined;
  /**
   * Writes the 429 body (status, RateLimit headers and Retry-After are already set). Default: an RFC 9457
   * problem. The token endpoint passes one that writes RFC 6749 §5.2 JSON.
   */
  onLimited?: (ctx: Context, result: RateLimitResult) => void;
}

/**
 * Counts each request against `limiter` under `key(ctx)`: RateLimit / RateLimit-Policy headers on every
 * answer it counts, and 429 with Retry-After once the quota is used up — never 403 or 500. Several
 * `rateLimit` middlewares on one request add one list member each to the same two headers.
 *
 * @example
 * import { clientAddressKey, createRateLimiter } from '@portcullis/rate-limit';
 * import { rateLimit } from '@portcullis/rate-limit/koa';
 * app.use(rateLimit({ limiter: createRateLimiter({ redis, keyPrefix, name: 'ip', points: 100, durationSeconds: 60 }), key: (ctx) => clientAddressKey(ctx.ip) }));
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  if (typeof options?.limiter?.consume !== 'function') {
    throw new TypeError('rateLimit: limiter must come from createRateLimiter()');
  }
  if (typeof options.key !== 'function') throw new TypeError('rateLimit: key must be a function');
  if (options.onLimited !== undefined && typeof options.onLimited !== 'function') {
    throw new TypeError('rateLimit: onLimited must be a function');
  }
  const { limiter, key, onLimited = writeTooManyRequestsProblem } = options;

  return async function rateLimitRequests(ctx: Context, next: Next): Promise<void> {
    const counted = key(ctx);
    if (counted === undefined) return next();
    const result = await limiter.consume(counted);
    if (!applyRateLimit(ctx, result, onLimited)) return;
    await next();
  };
}

/**
 * Adds `result` to the response's RateLimit headers and, when it refuses, answers 429 with Retry-After
 * through `onLimited`. Returns whether the request may go on. For middleware that counts against more than
 * one limiter, or decides the key itself.
 *
 * @example
 * if (!applyRateLimit(ctx, await perClient.consume(clientId), writeOAuthTooManyRequests)) return;
 */
export function applyRateLimit(
  ctx: Context,
  result: RateLimitResult,
  onLimited: (ctx: Context, result: RateLimitResult) => void = writeTooManyRequestsProblem,
): boolean {
  appendRateLimitHeaders(ctx, result);
  if (result.allowed) return true;
  ctx.status = 429;
  ctx.set('Retry-After', String(result.retryAfterSeconds));
  onLimited(ctx, result);
  return false;
}

/**
 * Adds `result` to the response's RateLimit-Policy and RateLimit headers and nothing else: for a request
 * counted after it was answered, which a refusal can no longer stop (Retry-After belongs to a 429).
 *
 * @example
 * await next();
 * appendRateLimitHeaders(ctx, await perClient.consume(authenticatedClientId));
 */
export function appendRateLimitHeaders(ctx: Context, result: RateLimitResult): void {
  appendListMember(ctx, 'RateLimit-Policy', policyItem(result));
  appendListMember(ctx, 'RateLimit', limitItem(result));
}

/** The default 429 body: an RFC 9457 problem. */
export function writeTooManyRequestsProblem(ctx: Context, result: RateLimitResult): void {
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: 'about:blank',
    title: 'Too Many Requests',
    status: 429,
    detail: `rate limit exceeded; retry after ${result.retryAfterSeconds} s`,
  };
}

/** Structured Field Lists may be combined into one field value with ", " (RFC 9651 §3.1). */
function appendListMember(ctx: Context, field: string, member: string): void {
  const current = ctx.response.get(field);
  ctx.set(field, current ? `${current}, ${member}` : member);
}
