/**
 * @portcullis/rate-limit/koa — rate limits as Koa middleware.
 *
 * @example
 * import { clientAddressKey, createRateLimiter } from '@portcullis/rate-limit';
 * import { rateLimit } from '@portcullis/rate-limit/koa';
 * const perIp = createRateLimiter({ redis, keyPrefix: 'portcullis:rate-limit:', name: 'ip', points: 100, durationSeconds: 60 });
 * app.use(rateLimit({ limiter: perIp, key: (ctx) => clientAddressKey(ctx.ip) }));
 */
export type { RateLimitOptions } from './rate-limit-middleware.js';
export {
  appendRateLimitHeaders,
  applyRateLimit,
  rateLimit,
  writeTooManyRequestsProblem,
} from './rate-limit-middleware.js';
