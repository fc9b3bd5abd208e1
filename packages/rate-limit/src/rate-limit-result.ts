/** A quota policy as RateLimit-Policy advertises it. */
export interface RateLimitPolicy {
  /** Identifies the policy in the RateLimit and RateLimit-Policy fields. */
  name: string;
  /** Requests allowed per window (`q`). */
  limit: number;
  /** Window length in seconds (`w`). */
  windowSeconds: number;
}

/** The outcome of one `consume`. */
export interface RateLimitResult {
  /** False once the key has used up its quota for the current window. */
  allowed: boolean;
  /** The quota of the policy (same as `policy.limit`). */
  limit: number;
  /** Requests left in the current window (`r`), never negative. */
  remaining: number;
  /** Seconds until the current window ends (`t`), at least 1 while a window is running. */
  resetSeconds: number;
  /** Seconds the caller should wait before trying again: 0 when allowed, at least 1 when not. */
  retryAfterSeconds: number;
  policy: RateLimitPolicy;
  /**
   * Where the counter lives: `redis` (shared by every instance) or `memory` (this instance only: there is
   * no Redis, or it failed or timed out for this call).
   */
  store: 'redis' | 'memory';
}
