import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createRateLimiter, type RateLimiterOptions } from '../../src/index.js';

const base: RateLimiterOptions = { keyPrefix: 'unit:', name: 'unit', points: 3, durationSeconds: 60 };

describe('createRateLimiter without Redis (per-instance counters)', () => {
  it('allows `points` requests per key and window, then refuses with the time left', async () => {
    const limiter = createRateLimiter(base);
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await limiter.consume('203.0.113.7'));

    expect(results.map((result) => [result.allowed, result.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(results[0]).toMatchObject({
      limit: 3,
      retryAfterSeconds: 0,
      store: 'memory',
      policy: { name: 'unit', limit: 3, windowSeconds: 60 },
    });
    expect(results[0]!.resetSeconds).toBeGreaterThanOrEqual(59);
    expect(results[0]!.resetSeconds).toBeLessThanOrEqual(60);
    const refused = results[3]!;
    expect(refused.retryAfterSeconds).toBe(refused.resetSeconds);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('counts keys separately', async () => {
    const limiter = createRateLimiter({ ...base, points: 1 });
    expect((await limiter.consume('a')).allowed).toBe(true);
    expect((await limiter.consume('a')).allowed).toBe(false);
    expect((await limiter.consume('b')).allowed).toBe(true);
  });

  it('gives a refunded request back', async () => {
    const limiter = createRateLimiter({ ...base, points: 1 });
    expect((await limiter.consume('k')).allowed).toBe(true);
    await limiter.refund('k');
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(false);
  });

  it('counts a very long key under its hash, still per key', async () => {
    const limiter = createRateLimiter({ ...base, points: 1 });
    const long = 'x'.repeat(10_000);
    expect((await limiter.consume(long)).allowed).toBe(true);
    expect((await limiter.consume(long)).allowed).toBe(false);
    expect((await limiter.consume(`${long}y`)).allowed).toBe(true);
  });

  it('refuses an empty key as a programming error', async () => {
    await expect(createRateLimiter(base).consume('')).rejects.toThrow(TypeError);
    await expect(createRateLimiter(base).peek('')).rejects.toThrow(TypeError);
  });
});

describe('RateLimiter.peek (per-instance counters)', () => {
  it('reports the whole quota for a key with no window running, and counts nothing', async () => {
    const limiter = createRateLimiter(base);
    for (let i = 0; i < 5; i += 1) {
      expect(await limiter.peek('k')).toMatchObject({
        allowed: true,
        remaining: 3,
        resetSeconds: 60,
        retryAfterSeconds: 0,
        store: 'memory',
      });
    }
    expect((await limiter.consume('k')).remaining).toBe(2);
  });

  it('follows what consume counted, and refuses once the quota is used up, still without counting', async () => {
    const limiter = createRateLimiter(base);
    await limiter.consume('k');
    expect(await limiter.peek('k')).toMatchObject({ allowed: true, remaining: 2 });
    await limiter.consume('k');
    await limiter.consume('k');
    const exhausted = await limiter.peek('k');
    expect(exhausted).toMatchObject({ allowed: false, remaining: 0 });
    expect(exhausted.retryAfterSeconds).toBe(exhausted.resetSeconds);
    expect(exhausted.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    await limiter.refund('k');
    expect(await limiter.peek('k')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('peeks a very long key under the same hash consume counts it under', async () => {
    const limiter = createRateLimiter({ ...base, points: 1 });
    const long = 'y'.repeat(10_000);
    await limiter.consume(long);
    expect((await limiter.peek(long)).allowed).toBe(false);
  });
});

describe('createRateLimiter options', () => {
  it.each([
    ['points 0', { points: 0 }, /points must be a positive integer/],
    ['fractional points', { points: 1.5 }, /points must be a positive integer/],
    ['durationSeconds 0', { durationSeconds: 0 }, /durationSeconds must be a positive integer/],
    ['a name with a quote', { name: 'a"b' }, /name must be/],
    ['an empty name', { name: '' }, /name must be/],
    ['a name with a newline', { name: 'a\nb' }, /name must be/],
    ['a missing keyPrefix', { keyPrefix: undefined }, /keyPrefix must be a string/],
    ['a non-function hook', { onStoreChange: 'log' }, /onStoreChange must be a function/],
    ['something that is not ioredis', { redis: {} }, /must be an ioredis client/],
    ['a negative cool-off', { redisCoolOffMs: -1 }, /redisCoolOffMs must be a non-negative integer/],
    ['a fractional cool-off', { redisCoolOffMs: 0.5 }, /redisCoolOffMs must be a non-negative integer/],
    ['a clock that is not a function', { now: 5 }, /now must be a function/],
  ])('refuses %s with a TypeError', (_case, change, message) => {
    expect(() => createRateLimiter({ ...base, ...(change as object) } as RateLimiterOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(message) }),
    );
  });

  it('refuses a Redis client that would queue commands while Redis is down', () => {
    const queueing = new Redis({ lazyConnect: true, commandTimeout: 500 });
    const noTimeout = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    try {
      expect(() => createRateLimiter({ ...base, redis: queueing })).toThrow(/must fail fast/);
      expect(() => createRateLimiter({ ...base, redis: noTimeout })).toThrow(/must fail fast/);
    } finally {
      queueing.disconnect();
      noTimeout.disconnect();
    }
  });
});
