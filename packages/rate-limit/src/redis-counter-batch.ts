import type { Cluster, Redis } from 'ioredis';

/** A fixed-window counter after one increment: its new value and the milliseconds left in its window. */
export interface CounterState {
  consumed: number;
  msLeft: number;
}

/** Increments counters in Redis, several per round trip. */
export interface RedisCounterBatch {
  /** Adds `points` to the counter at `key` (a full Redis key), starting a `durationSeconds` window if none runs. */
  increment(key: string, points: number, durationSeconds: number): Promise<CounterState>;
}

/**
 * Per key, exactly rate-limiter-flexible's RateLimiterRedis script (`incrTtlLuaScript`, v5-v9): the counter
 * is created at 0 with the window as its TTL unless it exists, incremented, and a key that lost its TTL gets
 * one back. The same keys and values, so `get` and `reward` of RateLimiterRedis (peek, refund) read and
 * change the counters this writes. ARGV holds points and window seconds for each key in turn.
 */
const INCREMENT_ALL = `
local results = {}
for index, key in ipairs(KEYS) do
  local points = ARGV[2 * index - 1]
  local seconds = ARGV[2 * index]
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local consumed = redis.call('incrby', key, points)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, seconds)
    ttl = 1000 * seconds
  end
  results[2 * index - 1] = consumed
  results[2 * index] = ttl
end
return results
`;
const COMMAND = 'portcullisRateLimitIncrementAll';
/** Bounds one script run (three commands per key): Redis runs nothing else meanwhile. */
const MAX_KEYS_PER_CALL = 128;

interface Pending {
  key: string;
  points: number;
  durationSeconds: number;
  resolve(state: CounterState): void;
  reject(error: unknown): void;
}

type IncrementAll = (numberOfKeys: number, ...keysThenArgs: (string | number)[]) => Promise<number[]>;

const batches = new WeakMap<Redis | Cluster, RedisCounterBatch>();

/**
 * The counter batch of one Redis client, shared by every limiter on it. Increments asked for during one
 * event-loop turn go out together at its end (setImmediate) as one EVALSHA, instead of one EVALSHA each:
 * on the resource server's GET /me, the per-request command and its round trip through ioredis were ~20%
 * of the CPU (profile, 6k req/s on one core), most of it client-side JavaScript and one write(2) per
 * request. A lone request waits for nothing but the end of its turn. On a Redis Cluster the keys of one
 * script must share a slot, so there each increment is sent on its own.
 *
 * Each round trip is bounded by `deadlineMs` (one timer per call, not per increment): past it, every
 * increment in it rejects, as a call of createRateLimiter's `withDeadline` would. The first caller for a
 * client sets it; createRateLimiter passes the client's own command timeout.
 *
 * @example
 * const state = await redisCounterBatch(redis, 500).increment('portcullis:rate-limit:subject:user:42', 1, 60);
 */
export function redisCounterBatch(redis: Redis | Cluster, deadlineMs: number): RedisCounterBatch {
  let batch = batches.get(redis);
  if (batch === undefined) {
    batch = createRedisCounterBatch(redis, deadlineMs);
    batches.set(redis, batch);
  }
  return batch;
}

function createRedisCounterBatch(redis: Redis | Cluster, deadlineMs: number): RedisCounterBatch {
  redis.defineCommand(COMMAND, { lua: INCREMENT_ALL });
  const incrementAll = (redis as unknown as Record<string, IncrementAll>)[COMMAND] as IncrementAll;
  const perCall = redis.isCluster ? 1 : MAX_KEYS_PER_CALL;
  let pending: Pending[] = [];

  const send = (group: Pending[]) => {
    const keys = group.map((item) => item.key);
    const args = group.flatMap((item) => [item.points, item.durationSeconds]);
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      const error = new Error(`rate limit store did not answer within ${deadlineMs} ms`);
      for (const item of group) item.reject(error);
    }, deadlineMs);
    incrementAll.call(redis, group.length, ...keys, ...args).then(
      (results) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        for (const [index, item] of group.entries()) {
          const consumed = Number(results[2 * index]);
          const msLeft = Number(results[2 * index + 1]);
          if (Number.isFinite(consumed) && Number.isFinite(msLeft)) item.resolve({ consumed, msLeft });
          else item.reject(new Error('rate limit script answered an unexpected result'));
        }
      },
      (error: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        for (const item of group) item.reject(error);
      },
    );
  };

  const flush = () => {
    const due = pending;
    pending = [];
    for (let start = 0; start < due.length; start += perCall) send(due.slice(start, start + perCall));
  };

  return {
    increment(key, points, durationSeconds) {
      return new Promise<CounterState>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ key, points, durationSeconds, resolve, reject });
      });
    },
  };
}
