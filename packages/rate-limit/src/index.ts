/**
 * @portcullis/rate-limit — request counters shared by every instance through Redis, falling back to
 * per-instance counters when Redis is down, and the RateLimit / RateLimit-Policy header fields.
 * Koa middleware: `@portcullis/rate-limit/koa`.
 *
 * @example
 * const limiter = createRateLimiter({ redis, keyPrefix: 'portcullis:rate-limit:', name: 'password-ip', points: 30, durationSeconds: 60 });
 * const result = await limiter.consume(clientAddressKey(ip));
 * if (!result.allowed) return tooManyRequests(rateLimitHeaders([result]));
 */

export { clientAddressKey } from './client-address-key.js';
export type {
  RateLimiter,
  RateLimiterOptions,
  RateLimitRedis,
  RateLimitStoreChange,
} from './create-rate-limiter.js';
export { createRateLimiter } from './create-rate-limiter.js';
export type { RateLimitHeaders } from './rate-limit-headers.js';
export { rateLimitHeaders } from './rate-limit-headers.js';
/** The Redis key layout of every counter, for a caller that counts several limiters in one script. */
export { counterKey, policyKeyPrefix } from './rate-limit-keys.js';
export type { RateLimitPolicy, RateLimitResult } from './rate-limit-result.js';
