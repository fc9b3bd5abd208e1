import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  uniqueLayout,
} from '../../../revocation/test/support/redis-fixtures.js';
import { createRateLimiter, type RateLimiterOptions } from '../../src/index.js';

/** Two limiter instances on two Redis connections stand for two servers behind one load balancer. */
describe('createRateLimiter on the shared Redis', () => {
  const { keyPrefix } = uniqueLayout();
  let first: Redis;
  let second: Redis;
  const options = (redis: Redis): RateLimiterOptions => ({
    redis,
    keyPrefix,
    name: 'shared',
    points: 5,
    durationSeconds: 60,
  });

  beforeAll(async () => {
    first = await connectedClient();
    second = await connectedClient();
  });
  afterAll(async () => {
    await deleteKeys(first, keyPrefix);
    first.disconnect();
    second.disconnect();
  });

  it('shares one counter between instances', async () => {
    const serverA = createRateLimiter(options(first));
    const serverB = createRateLimiter(options(second));
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(await (i % 2 === 0 ? serverA : serverB).consume('198.51.100.1'));
    }
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, true, true, false]);
    expect(answers.map((answer) => answer.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(answers.every((answer) => answer.store === 'redis')).toBe(true);
    expect(answers[5]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(answers[5]!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('keeps the count under the documented key, with the window as its TTL', async () => {
    const limiter = createRateLimiter(options(first));
    await limiter.consume('198.51.100.2');
    await limiter.consume('198.51.100.2');
    const key = `${keyPrefix}shared:198.51.100.2`;
    expect(await first.get(key)).toBe('2');
    const ttl = await first.pttl(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('holds the limit under concurrent requests from both instances', async () => {
    const serverA = createRateLimiter(options(first));
    const serverB = createRateLimiter(options(second));
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? serverA : serverB).consume('198.51.100.3')),
    );
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(5);
  });

  it('refunds on the shared counter', async () => {
    const serverA = createRateLimiter({ ...options(first), points: 1 });
    const serverB = createRateLimiter({ ...options(second), points: 1 });
    expect((await serverA.consume('198.51.100.4')).allowed).toBe(true);
    await serverA.refund('198.51.100.4');
    expect((await serverB.consume('198.51.100.4')).allowed).toBe(true);
  });

  it('peeks at the shared counter without counting or creating a key', async () => {
    const serverA = createRateLimiter({ ...options(first), points: 2 });
    const serverB = createRateLimiter({ ...options(second), points: 2 });
    const key = `${keyPrefix}shared:198.51.100.5`;
    expect(await serverB.peek('198.51.100.5')).toMatchObject({ allowed: true, remaining: 2, store: 'redis' });
    expect(await first.exists(key)).toBe(0);
    await serverA.consume('198.51.100.5');
    expect(await serverB.peek('198.51.100.5')).toMatchObject({ allowed: true, remaining: 1, store: 'redis' });
    await serverA.consume('198.51.100.5');
    const exhausted = await serverB.peek('198.51.100.5');
    expect(exhausted).toMatchObject({ allowed: false, remaining: 0, store: 'redis' });
    expect(exhausted.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(exhausted.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await first.get(key)).toBe('2');
  });

  it('keeps policies with different names apart', async () => {
    const ip = createRateLimiter({ ...options(first), name: 'ip', points: 1 });
    const client = createRateLimiter({ ...options(first), name: 'client', points: 1 });
    expect((await ip.consume('same-key')).allowed).toBe(true);
    expect((await client.consume('same-key')).allowed).toBe(true);
  });
});
