import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { closeRedisClient, createRedisClient, readEvictionPolicy } from '../../src/index.js';

/** The start-up check behind the auth server's "Redis may evict" warning, on a redis-server of our own. */
describe('readEvictionPolicy', () => {
  let server: OwnRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await ownRedisServer();
    await server.start();
    redis = createRedisClient(server.url);
    await redis.connect();
  });

  afterAll(async () => {
    await closeRedisClient(redis);
    await server.kill();
  });

  it('reads the policy Redis runs with', async () => {
    expect(await readEvictionPolicy(redis)).toBe('noeviction');
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await readEvictionPolicy(redis)).toBe('allkeys-lru');
  });

  it('answers undefined, without throwing, when Redis is gone', async () => {
    await server.kill();
    expect(await readEvictionPolicy(redis)).toBeUndefined();
  });
});
