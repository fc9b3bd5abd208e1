/**
 * Whether a limiter should ask Redis at all. After a failure it stays open for `coolOffMs`: calls count in
 * memory at once instead of each waiting out the command timeout of a Redis that hangs (a password grant
 * passes three limiters: 3 × 500 ms per request). Once the cool-off is over, one call at a time probes
 * Redis; the others stay in memory until a probe succeeds.
 */
export interface RedisCircuitBreaker {
  /** True when this call may use Redis (closed, or this call is the probe after a cool-off). */
  allows(): boolean;
  /** Redis answered: close. */
  succeeded(): void;
  /** Redis failed or timed out: open for another cool-off. */
  failed(): void;
}

/** A breaker for one limiter. With `coolOffMs` 0 the next call after a failure probes Redis again. */
export function createRedisCircuitBreaker(coolOffMs: number, now: () => number): RedisCircuitBreaker {
  let openUntil: number | undefined;
  let probing = false;
  return {
    allows() {
      if (openUntil === undefined) return true;
      if (probing || now() < openUntil) return false;
      probing = true;
      return true;
    },
    succeeded() {
      openUntil = undefined;
      probing = false;
    },
    failed() {
      openUntil = now() + coolOffMs;
      probing = false;
    },
  };
}
