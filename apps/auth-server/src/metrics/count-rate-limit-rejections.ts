import type { RateLimiter } from '@portcullis/rate-limit';

/**
 * `limiter`, reporting its policy name whenever `consume` refuses. Only for a limiter whose every `consume`
 * gates a request (the password grant's per-address limit): one that charges after answering would report
 * requests that were not refused.
 *
 * @example
 * perIpLimiter: countRateLimitRejections(createRateLimiter({ ... name: 'password-ip' ... }), appMetrics.rateLimited),
 */
export function countRateLimitRejections(
  limiter: RateLimiter,
  rejected: (limit: string) => void,
): RateLimiter {
  return {
    policy: limiter.policy,
    async consume(key) {
      const result = await limiter.consume(key);
      if (!result.allowed) rejected(result.policy.name);
      return result;
    },
    peek: (key) => limiter.peek(key),
    refund: (key) => limiter.refund(key),
  };
}
