import type { RateLimitResult } from '@portcullis/rate-limit';
import type { Context } from 'koa';

/**
 * The 429 body of the token endpoints, in RFC 6749 §5.2 shape. RFC 6749 defines no rate-limit error code:
 * `temporarily_unavailable` (§4.1.2.1, "temporary overloading") tells the client to come back later, where
 * `invalid_request` would tell it the request was malformed. Status 429 and Retry-After carry the rest.
 */
export function writeOAuthTooManyRequests(ctx: Context, result: RateLimitResult): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = {
    error: 'temporarily_unavailable',
    error_description: `too many requests; retry after ${result.retryAfterSeconds} s`,
  };
}
