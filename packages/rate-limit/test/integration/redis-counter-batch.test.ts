import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { createRedisClient } from '../../../revocation/src/index.js';
import { createRateLimiter } from '../../src/index.js';
import { redisCounterBatch } from '../../src/redis-counter-batch.js';

/**
 * The increments of one event-loop turn share one script call (redis-counter-batch.ts). Counted with
 * MONITOR on a redis-server of this test's own, so nothing else's commands are seen.
 */
describe('redisCounterBatch', () => {
  let server: OwnRedisServer;
  let redis: Redis;
  let monitored: Redis;
  let monitor: Redis;
  const scripts: string[][] = [];

  beforeAll(async () => {
    server = await ownRedisServer();
    await server.start();
    redis = createRedisClient(server.url, { lazyConnect: false });
    await new Promise((resolve) => redis.once('ready', resolve));
    monitored = new Redis(server.url);
    // monitor() opens a connection of its own: both are closed after.
    monitor = await monitored.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = String(args[0]).toLowerCase();
      if (command === 'evalsha' || command === 'eval') scripts.push(args);
    });
  });
  afterAll(async () => {
    monitor?.disconnect();
    monitored?.disconnect();
    redis?.disconnect();
    await server?.kill();
  });

  /** Script calls seen by MONITOR while `work` ran (MONITOR lines arrive a moment after the replies). */
  async function scriptCallsDuring(work: () => Promise<unknown>): Promise<string[][]> {
    await redis.ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
    scripts.length = 0;
    await work();
    await redis.ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return [...scripts];
  }

  it('sends the consumes of one turn, of several limiters, as one script call', async () => {
    const perSubject = createRateLimiter({
      redis,
      keyPrefix: 'batch:',
      name: 'subject',
      points: 100,
      durationSeconds: 60,
    });
    const perRoute = createRateLimiter({
      redis,
      keyPrefix: 'batch:',
      name: 'route',
      points: 2,
      durationSeconds: 30,
    });
    let results: Awaited<ReturnType<typeof perSubject.consume>>[] = [];
    const calls = await scriptCallsDuring(async () => {
      results = await Promise.all([
        ...Array.from({ length: 10 }, (_, index) => perSubject.consume(`user:${index % 3}`)),
        perRoute.consume('user:0'),
        perRoute.consume('user:0'),
        perRoute.consume('user:0'),
      ]);
    });
    expect(calls).toHaveLength(1);
    expect(results.every((result) => result.store === 'redis')).toBe(true);
    // user:0, user:1, user:2 were counted 4, 3 and 3 times, in call order.
    expect(results.slice(0, 10).map((result) => result.remaining)).toEqual([
      99, 99, 99, 98, 98, 98, 97, 97, 97, 96,
    ]);
    expect(results.slice(10).map((result) => [result.allowed, result.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(await redis.get('batch:subject:user:0')).toBe('4');
    expect(await redis.get('batch:route:user:0')).toBe('3');
    const subjectTtl = await redis.pttl('batch:subject:user:0');
    const routeTtl = await redis.pttl('batch:route:user:0');
    expect(subjectTtl).toBeGreaterThan(55_000);
    expect(routeTtl).toBeGreaterThan(25_000);
    expect(routeTtl).toBeLessThanOrEqual(30_000);
  });

  it('sends one script call per turn: a later turn gets its own', async () => {
    const limiter = createRateLimiter({
      redis,
      keyPrefix: 'turns:',
      name: 'subject',
      points: 10,
      durationSeconds: 60,
    });
    const calls = await scriptCallsDuring(async () => {
      await limiter.consume('a');
      await limiter.consume('a');
    });
    expect(calls).toHaveLength(2);
  });

  it('splits a very large turn into calls of at most 128 keys', async () => {
    const limiter = createRateLimiter({
      redis,
      keyPrefix: 'large:',
      name: 'subject',
      points: 10,
      durationSeconds: 60,
    });
    const calls = await scriptCallsDuring(() =>
      Promise.all(Array.from({ length: 300 }, (_, index) => limiter.consume(`caller-${index}`))),
    );
    expect(calls).toHaveLength(3);
    expect(await redis.get('large:subject:caller-299')).toBe('1');
  });

  it('writes the same counters as RateLimiterRedis, which reads and rewards them', async () => {
    const reference = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'compat:subject',
      points: 5,
      duration: 60,
    });
    await reference.consume('k');
    const state = await redisCounterBatch(redis, 500).increment(reference.getKey('k'), 1, 60);
    expect(state.consumed).toBe(2);
    expect(state.msLeft).toBeGreaterThan(55_000);
    expect((await reference.get('k'))?.consumedPoints).toBe(2);
    await reference.reward('k', 1);
    expect((await redisCounterBatch(redis, 500).increment(reference.getKey('k'), 1, 60)).consumed).toBe(2);
  });

  it('gives a counter that lost its TTL a new window, as the library script does', async () => {
    await redis.set('ttl-lost:k', '3');
    const state = await redisCounterBatch(redis, 500).increment('ttl-lost:k', 1, 45);
    expect(state).toEqual({ consumed: 4, msLeft: 45_000 });
    expect(await redis.ttl('ttl-lost:k')).toBeGreaterThan(40);
  });

  it('bounds each round trip: a hung Redis rejects the whole turn after the deadline', async () => {
    const client = createRedisClient(server.url, { lazyConnect: false });
    await new Promise((resolve) => client.once('ready', resolve));
    const batch = redisCounterBatch(client, 100);
    server.pause();
    try {
      const outcomes = await Promise.allSettled([
        batch.increment('hung:a', 1, 60),
        batch.increment('hung:b', 1, 60),
      ]);
      expect(outcomes).toEqual([
        { status: 'rejected', reason: new Error('rate limit store did not answer within 100 ms') },
        { status: 'rejected', reason: new Error('rate limit store did not answer within 100 ms') },
      ]);
    } finally {
      server.resume();
      client.disconnect();
    }
  });

  it('rejects every increment of the turn when the call fails, so each falls back on its own', async () => {
    const broken = createRedisClient('redis://127.0.0.1:9', { lazyConnect: false, connectTimeoutMs: 200 });
    broken.on('error', () => undefined);
    try {
      const batch = redisCounterBatch(broken, 500);
      const outcomes = await Promise.allSettled([batch.increment('x', 1, 60), batch.increment('y', 1, 60)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    } finally {
      broken.disconnect();
    }
  });
});
