import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { counterKey, policyKeyPrefix } from './rate-limit-keys.js';
import type { RateLimitPolicy, RateLimitResult } from './rate-limit-result.js';
import { createRedisCircuitBreaker } from './redis-circuit-breaker.js';
import { type RedisCounterBatch, redisCounterBatch } from './redis-counter-batch.js';

/** An ioredis client or cluster; it must fail fast (see `createRateLimiter`). */
export type RateLimitRedis = Redis | Cluster;

/** Which store a limiter is counting in, reported when it changes. */
export interface RateLimitStoreChange {
  store: 'redis' | 'memory';
  /** Why it left Redis (a connection error, a timeout). */
  error?: unknown;
}

export interface RateLimiterOptions {
  /**
   * Where counters are shared by every instance. Must fail fast — no offline queue, a command timeout —
   * as `createRedisClient` from @portcullis/revocation builds it. Omit for per-instance counters only.
   */
  redis?: RateLimitRedis | undefined;
  /** Prefix of every Redis key, e.g. `portcullis:rate-limit:`. */
  keyPrefix: string;
  /** The policy name in RateLimit headers and in keys: 1-64 printable ASCII characters, no `"` or `\`. */
  name: string;
  /** Requests allowed per window, a positive integer. */
  points: number;
  /** Window length in seconds, a positive integer. Windows are fixed: they start at a key's first request. */
  durationSeconds: number;
  /**
   * Called when counting moves from Redis to this instance's memory (Redis failed or timed out) and back.
   * Called once per change, not per request; must not throw (a throw is ignored).
   */
  onStoreChange?: (change: RateLimitStoreChange) => void;
  /**
   * After Redis failed or timed out, how long (ms) to count in memory before trying Redis again, so that a
   * hung Redis costs one command timeout per cool-off rather than one per request. Default 5000; 0 tries
   * again on the next call.
   */
  redisCoolOffMs?: number;
  /** Clock (epoch ms) of the cool-off; tests move time with it. Default `Date.now`. */
  now?: () => number;
}

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  /**
   * Counts one request for `key` and says whether it is within the quota. Never rejects because of Redis:
   * a Redis error or a call slower than the client's command timeout is counted in memory instead.
   */
  consume(key: string): Promise<RateLimitResult>;
  /**
   * Says whether `key` has a request left in the current window, without counting one: `allowed` is false
   * once the quota is used up. For checking a key that is not yet proven to be the caller's, and counting it
   * with `consume` once it is. Falls back to memory like `consume`.
   */
  peek(key: string): Promise<RateLimitResult>;
  /** Gives back one request counted for `key` (a request that turned out not to be the key's). */
  refund(key: string): Promise<void>;
}

const POLICY_NAME = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/;
/** Long enough that a hung Redis costs one timeout per limiter every few seconds, short enough to recover soon. */
const DEFAULT_REDIS_COOL_OFF_MS = 5000;

/**
 * A fixed-window counter per key, shared through Redis by every instance (rate-limiter-flexible's
 * RateLimiterRedis script and keys; `consume` sends it through redis-counter-batch.ts, which carries every
 * increment of one event-loop turn in one EVALSHA). When Redis is missing, down or slow, the
 * same limit is counted per instance in memory (RateLimiterMemory), so limits degrade, never disappear
 * (DESIGN.md "Rate limiting"). After a Redis failure a circuit breaker keeps counting in memory for
 * `redisCoolOffMs` before Redis is tried again. Refused requests are counted too. (rate-limiter-flexible's
 * in-memory block of refused keys is left off: it would outlive a `refund`.)
 *
 * @example
 * const perIp = createRateLimiter({ redis, keyPrefix: 'portcullis:rate-limit:', name: 'token-ip', points: 300, durationSeconds: 60 });
 * const result = await perIp.consume(clientAddressKey(ctx.ip));
 * if (!result.allowed) refuse(result.retryAfterSeconds);
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { redis, keyPrefix, name, points, durationSeconds, onStoreChange, redisCoolOffMs, now } =
    validate(options);
  const policy: RateLimitPolicy = Object.freeze({ name, limit: points, windowSeconds: durationSeconds });
  const prefix = policyKeyPrefix(keyPrefix, name);
  const local = new RateLimiterMemory({ keyPrefix: prefix, points, duration: durationSeconds });
  const deadlineMs = redis ? commandTimeoutOf(redis) : 0;
  const shared = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: prefix,
        points,
        duration: durationSeconds,
      })
    : undefined;
  const batch = redis ? redisCounterBatch(redis, deadlineMs) : undefined;
  const breaker = createRedisCircuitBreaker(redisCoolOffMs ?? DEFAULT_REDIS_COOL_OFF_MS, now ?? Date.now);

  let store: 'redis' | 'memory' = 'redis';
  const report = (next: 'redis' | 'memory', error?: unknown) => {
    if (next === store) return;
    store = next;
    try {
      onStoreChange?.(next === 'memory' ? { store: next, error } : { store: next });
    } catch {
      // A failing log hook must not turn a counted request into an error.
    }
  };

  /**
   * `work` against Redis, bounded by the deadline (unless it bounds itself, as the counter batch does with
   * one timer per round trip); undefined when the breaker is open or Redis failed (the caller then counts
   * in memory).
   */
  const viaRedis = async <T>(
    work: (remote: RateLimiterRedis) => Promise<T>,
    bounded = false,
  ): Promise<{ value: T } | undefined> => {
    if (!shared || !breaker.allows()) return undefined;
    try {
      const value = await (bounded ? work(shared) : withDeadline(work(shared), deadlineMs));
      breaker.succeeded();
      report('redis');
      return { value };
    } catch (error) {
      breaker.failed();
      report('memory', error);
      return undefined;
    }
  };

  const toResult = (
    outcome: Pick<RateLimiterRes, 'msBeforeNext' | 'remainingPoints'> | null,
    allowed: boolean,
    from: 'redis' | 'memory',
  ) => {
    const msLeft = outcome && outcome.msBeforeNext >= 0 ? outcome.msBeforeNext : durationSeconds * 1000;
    const resetSeconds = Math.max(1, Math.ceil(msLeft / 1000));
    return {
      allowed,
      limit: points,
      remaining: allowed ? Math.max(0, outcome ? outcome.remainingPoints : points) : 0,
      resetSeconds,
      retryAfterSeconds: allowed ? 0 : resetSeconds,
      policy,
      store: from,
    } satisfies RateLimitResult;
  };

  /** The library rejects with a RateLimiterRes for "over the limit". */
  const consumeInMemory = async (key: string) => {
    try {
      return toResult(await local.consume(key), true, 'memory');
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return toResult(outcome, false, 'memory');
      throw outcome;
    }
  };
  /** RateLimiterRedis.consume without its layers (same key, same script): refused once past `points`. */
  const consumeInRedis = async (limiter: RateLimiterRedis, key: string) => {
    const { consumed, msLeft } = await (batch as RedisCounterBatch).increment(
      limiter.getKey(key),
      1,
      durationSeconds,
    );
    const outcome = { msBeforeNext: msLeft, remainingPoints: Math.max(points - consumed, 0) };
    return toResult(outcome, consumed <= points, 'redis');
  };
  /**
   * `get` resolves null for a key with no window running: the whole quota is left. (A memory record can
   * outlive its window by a timer tick; it no longer counts then, as in `consume`.)
   */
  const peekIn = async (
    limiter: RateLimiterRedis | RateLimiterMemory,
    key: string,
    from: 'redis' | 'memory',
  ) => {
    const found = await limiter.get(key);
    const running = found && found.msBeforeNext > 0 ? found : null;
    return toResult(running, (running?.consumedPoints ?? 0) < points, from);
  };

  return {
    policy,
    async consume(key) {
      const counter = counterKey(requireKey(key));
      const remote = await viaRedis((limiter) => consumeInRedis(limiter, counter), true);
      return remote ? remote.value : consumeInMemory(counter);
    },
    async peek(key) {
      const counter = counterKey(requireKey(key));
      const remote = await viaRedis((limiter) => peekIn(limiter, counter, 'redis'));
      return remote ? remote.value : peekIn(local, counter, 'memory');
    },
    async refund(key) {
      const counter = counterKey(requireKey(key));
      if (await viaRedis((limiter) => limiter.reward(counter, 1))) return;
      await local.reward(counter, 1);
    },
  };
}

function validate(options: RateLimiterOptions): RateLimiterOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createRateLimiter: options required');
  const { redis, keyPrefix, name, points, durationSeconds, onStoreChange, redisCoolOffMs, now } = options;
  if (typeof keyPrefix !== 'string') throw new TypeError('createRateLimiter: keyPrefix must be a string');
  if (typeof name !== 'string' || !POLICY_NAME.test(name)) {
    throw new TypeError(
      'createRateLimiter: name must be 1-64 printable ASCII characters without a double quote or backslash',
    );
  }
  for (const [field, value] of [
    ['points', points],
    ['durationSeconds', durationSeconds],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`createRateLimiter: ${field} must be a positive integer, got ${value}`);
    }
  }
  if (onStoreChange !== undefined && typeof onStoreChange !== 'function') {
    throw new TypeError('createRateLimiter: onStoreChange must be a function');
  }
  if (redisCoolOffMs !== undefined && (!Number.isSafeInteger(redisCoolOffMs) || redisCoolOffMs < 0)) {
    throw new TypeError(
      `createRateLimiter: redisCoolOffMs must be a non-negative integer, got ${redisCoolOffMs}`,
    );
  }
  if (now !== undefined && typeof now !== 'function') {
    throw new TypeError('createRateLimiter: now must be a function');
  }
  if (redis !== undefined) commandTimeoutOf(redis);
  return options;
}

/**
 * The client's command timeout, which bounds how long a request waits for Redis. A client that queues
 * commands while disconnected, or has no timeout, would stall every request when Redis is down
 * (STACK-NOTES "ioredis"): refused here, at start-up.
 */
function commandTimeoutOf(redis: RateLimitRedis): number {
  if (typeof redis !== 'object' || redis === null || typeof redis.defineCommand !== 'function') {
    throw new TypeError('createRateLimiter: redis must be an ioredis client');
  }
  const isCluster = (redis as Cluster).isCluster === true;
  const clientOptions = isCluster ? (redis as Cluster).options.redisOptions : (redis as Redis).options;
  const queueing = isCluster
    ? (redis as Cluster).options.enableOfflineQueue
    : (redis as Redis).options.enableOfflineQueue;
  const timeout = clientOptions?.commandTimeout;
  if (queueing !== false || typeof timeout !== 'number' || !(timeout > 0)) {
    throw new TypeError(
      'createRateLimiter: the redis client must fail fast (enableOfflineQueue: false and a commandTimeout); use createRedisClient()',
    );
  }
  return timeout;
}

function requireKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new TypeError('rate limit key must be a non-empty string');
  return key;
}

/** The client's timeout applies per command; this bounds the whole call (EVALSHA, then EVAL after NOSCRIPT). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`rate limit store did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
