import type { RateLimitResult } from './rate-limit-result.js';

/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers-10 (September 2025): both fields are
 * Structured Field Lists (RFC 9651) whose items are a policy identifier String with parameters —
 * `RateLimit-Policy: "name";q=<quota>;w=<window seconds>` and `RateLimit: "name";r=<remaining>;t=<reset
 * seconds>` — plus `Retry-After` (RFC 9110 §10.2.3) on a refusal. Where both are sent, `t` names the same
 * instant as Retry-After (draft §5).
 */
export interface RateLimitHeaders {
  'RateLimit-Policy': string;
  RateLimit: string;
  'Retry-After'?: string;
}

/**
 * Header fields for one or more results of the same request (one item per policy, in order). Retry-After
 * is present when any of them refused, with the longest wait among them.
 *
 * @example
 * ctx.set(rateLimitHeaders([perIp, perClient]));
 * // RateLimit-Policy: "token-ip";q=300;w=60, "token-client";q=600;w=60
 * // RateLimit: "token-ip";r=299;t=60, "token-client";r=12;t=41
 */
export function rateLimitHeaders(results: readonly RateLimitResult[]): RateLimitHeaders {
  if (results.length === 0) throw new TypeError('rateLimitHeaders needs at least one result');
  const headers: RateLimitHeaders = {
    'RateLimit-Policy': results.map(policyItem).join(', '),
    RateLimit: results.map(limitItem).join(', '),
  };
  const refused = results.filter((result) => !result.allowed);
  if (refused.length > 0) {
    headers['Retry-After'] = String(Math.max(...refused.map((result) => result.retryAfterSeconds)));
  }
  return headers;
}

/** One RateLimit-Policy list member: `"name";q=100;w=60`. */
export function policyItem({ policy }: RateLimitResult): string {
  return `${sfString(policy.name)};q=${policy.limit};w=${policy.windowSeconds}`;
}

/** One RateLimit list member: `"name";r=42;t=17` (on a refusal, t is the Retry-After value). */
export function limitItem(result: RateLimitResult): string {
  const reset = result.allowed ? result.resetSeconds : result.retryAfterSeconds;
  return `${sfString(result.policy.name)};r=${result.remaining};t=${reset}`;
}

/** An RFC 9651 §3.3.3 String; policy names are validated printable ASCII, escaping covers the rest. */
function sfString(value: string): string {
  return `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}
