import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { createRedisClient } from '../../../revocation/src/index.js';
import { waitFor } from '../../../revocation/test/support/redis-fixtures.js';
import {
  createRateLimiter,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitStoreChange,
} from '../../src/index.js';

const COMMAND_TIMEOUT_MS = 200;
/** A consume must settle within the command timeout plus scheduling slack — never hang. */
const CALL_BOUND_MS = COMMAND_TIMEOUT_MS + 300;

/** Fault tests against a redis-server of our own: killed, paused (SIGSTOP), restarted empty. */
describe('createRateLimiter when Redis fails', () => {
  let redisServer: OwnRedisServer;
  let clientA: Redis;
  let clientB: Redis;
  let limiterA: RateLimiter;
  let limiterB: RateLimiter;
  const changes: RateLimitStoreChange[] = [];
  /** The limiters' clock: a test moves it past the circuit breaker's cool-off instead of waiting it out. */
  let skewMs = 0;
  const now = () => Date.now() + skewMs;

  const client = (url: string) => {
    const created = createRedisClient(url, { commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: 500 });
    created.on('error', () => undefined); // reconnect attempts while the server is down are expected
    return created;
  };
  const options = (redis: Redis) => ({
    redis,
    keyPrefix: 'fault:',
    name: 'fault',
    points: 3,
    durationSeconds: 60,
    redisCoolOffMs: 5_000,
    now,
  });
  async function timedConsume(limiter: RateLimiter, key: string): Promise<RateLimitResult> {
    const started = performance.now();
    const result = await limiter.consume(key);
    expect(performance.now() - started).toBeLessThan(CALL_BOUND_MS);
    return result;
  }

  beforeAll(async () => {
    redisServer = await ownRedisServer();
    await redisServer.start();
    clientA = client(redisServer.url);
    clientB = client(redisServer.url);
    await Promise.all([clientA.connect(), clientB.connect()]);
    limiterA = createRateLimiter({ ...options(clientA), onStoreChange: (change) => changes.push(change) });
    limiterB = createRateLimiter(options(clientB));
  });
  afterAll(async () => {
    clientA.disconnect();
    clientB.disconnect();
    await redisServer.kill();
  });

  it('falls back to per-instance counters at once when Redis is dead, and never rejects', async () => {
    expect((await timedConsume(limiterA, 'k1')).store).toBe('redis');
    await redisServer.kill();

    const a = [];
    for (let i = 0; i < 4; i += 1) a.push(await timedConsume(limiterA, 'k1'));
    expect(a.map((result) => [result.store, result.allowed])).toEqual([
      ['memory', true],
      ['memory', true],
      ['memory', true],
      ['memory', false],
    ]);
    expect(a[3]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Per instance: the other server has its own memory, so the limit now holds per instance only.
    expect((await timedConsume(limiterB, 'k1')).allowed).toBe(true);
    expect(changes).toEqual([{ store: 'memory', error: expect.any(Error) }]);
  });

  it('goes back to the shared counter once Redis is back (empty)', async () => {
    await redisServer.start();
    await waitFor(() => clientA.status === 'ready' && clientB.status === 'ready', 10_000, 'reconnect');
    // Within the cool-off both still count in memory; after it, Redis is tried again.
    expect((await timedConsume(limiterA, 'k2')).store).toBe('memory');
    skewMs += 5_000;

    const first = await timedConsume(limiterA, 'k2');
    expect(first).toMatchObject({ store: 'redis', remaining: 2 });
    expect(await timedConsume(limiterB, 'k2')).toMatchObject({ store: 'redis', remaining: 1 });
    expect(changes.at(-1)).toEqual({ store: 'redis' });
  });

  it('answers within the command timeout while Redis hangs (SIGSTOP), counting in memory', async () => {
    await timedConsume(limiterA, 'k3');
    redisServer.pause();
    try {
      const results = await Promise.all([
        timedConsume(limiterA, 'k3'),
        timedConsume(limiterA, 'k3'),
        timedConsume(limiterA, 'k3'),
        timedConsume(limiterA, 'k3'),
      ]);
      expect(results.every((result) => result.store === 'memory')).toBe(true);
      expect(results.filter((result) => result.allowed)).toHaveLength(3);
    } finally {
      redisServer.resume();
    }
    await waitFor(() => clientA.status === 'ready', 10_000, 'the client after the pause');
  }, 20_000);
});
