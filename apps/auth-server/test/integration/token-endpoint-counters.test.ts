import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRateLimiter, type RateLimitResult, type RateLimitStoreChange } from '@portcullis/rate-limit';
import { createRedisClient } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import { connectedClient, deleteKeys } from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { createTokenEndpointCounters } from '../../src/rate-limits/token-endpoint-counters.js';

/** The fields that do not move with the clock. */
const stable = ({ allowed, limit, remaining, retryAfterSeconds, policy, store }: RateLimitResult) => ({
  allowed,
  limit,
  remaining,
  refused: retryAfterSeconds > 0,
  policy: policy.name,
  store,
});

/**
 * The token endpoint's counters in one script per round trip must be indistinguishable from the generic
 * limiters (packages/rate-limit) they replace on the hot path: same keys, same counts, same answers.
 */
describe('token endpoint counters (shared Redis)', () => {
  let redis: Redis;
  const keyPrefix = `portcullis-test:${randomUUID()}:rate-limit:`;

  beforeAll(async () => {
    redis = await connectedClient();
  });
  afterAll(async () => {
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
  });

  const generic = (name: string, points: number) =>
    createRateLimiter({ redis, keyPrefix, name, points, durationSeconds: 60 });

  it('counts the address and only looks at the client, in the limiters keys', async () => {
    const counters = createTokenEndpointCounters({
      redis,
      keyPrefix,
      perIpPerMinute: 5,
      perClientPerMinute: 5,
    });
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    const client = `svc-${randomUUID()}`;
    const first = await counters.admit(address, client);
    expect(stable(first.address)).toEqual({
      allowed: true,
      limit: 5,
      remaining: 4,
      refused: false,
      policy: 'token-ip',
      store: 'redis',
    });
    expect(stable(first.client!)).toEqual({
      allowed: true,
      limit: 5,
      remaining: 5,
      refused: false,
      policy: 'token-client',
      store: 'redis',
    });
    // The generic limiters read the same counters.
    expect(stable(await generic('token-ip', 5).peek(address))).toMatchObject({ remaining: 4 });
    expect(stable(await generic('token-client', 5).peek(client))).toMatchObject({ remaining: 5 });

    expect(stable(await counters.charge(client))).toMatchObject({ allowed: true, remaining: 4 });
    expect(stable(await generic('token-client', 5).consume(client))).toMatchObject({ remaining: 3 });
    expect(stable((await counters.admit(address, client)).client!)).toMatchObject({ remaining: 3 });
    expect(first.address.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(first.address.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('answers as the generic limiters do at and over the limit', async () => {
    const counters = createTokenEndpointCounters({
      redis,
      keyPrefix,
      perIpPerMinute: 2,
      perClientPerMinute: 2,
    });
    const address = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const client = `svc-${randomUUID()}`;
    await counters.admit(address, undefined);
    expect(stable((await counters.admit(address, undefined)).address)).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    const over = (await counters.admit(address, undefined)).address;
    expect(stable(over)).toMatchObject({ allowed: false, remaining: 0, refused: true });
    expect(over.retryAfterSeconds).toBe(over.resetSeconds);

    await counters.charge(client);
    await counters.charge(client);
    const spent = (await counters.admit(`203.0.113.${Math.floor(Math.random() * 250)}`, client)).client!;
    expect(stable(spent)).toEqual(stable(await generic('token-client', 2).peek(client)));
    expect(stable(spent)).toMatchObject({ allowed: false, refused: true });
    expect(stable(await counters.charge(client))).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      refused: true,
      policy: 'token-client',
      store: 'redis',
    });
  });

  it('hashes long keys as the limiters do', async () => {
    const counters = createTokenEndpointCounters({
      redis,
      keyPrefix,
      perIpPerMinute: 5,
      perClientPerMinute: 5,
    });
    const client = `svc-${'x'.repeat(300)}`;
    await counters.charge(client);
    expect(stable(await generic('token-client', 5).peek(client))).toMatchObject({ remaining: 4 });
  });

  it('counts per instance in memory while Redis fails, and says so once', async () => {
    // Nothing listens on port 1: every command fails at once.
    const dead = createRedisClient('redis://127.0.0.1:1', { connectTimeoutMs: 200, commandTimeoutMs: 200 });
    dead.on('error', () => undefined);
    const changes: RateLimitStoreChange['store'][] = [];
    try {
      const counters = createTokenEndpointCounters({
        redis: dead,
        keyPrefix,
        perIpPerMinute: 1,
        perClientPerMinute: 5,
        onStoreChange: (change) => changes.push(change.store),
      });
      const first = await counters.admit('192.0.2.1', 'svc');
      expect(stable(first.address)).toMatchObject({ allowed: true, store: 'memory' });
      expect(stable(first.client!)).toMatchObject({ allowed: true, store: 'memory' });
      expect(stable((await counters.admit('192.0.2.1', 'svc')).address)).toMatchObject({
        allowed: false,
        store: 'memory',
      });
      expect(stable(await counters.charge('svc'))).toMatchObject({ remaining: 4, store: 'memory' });
      expect(changes).toEqual(['memory']);
    } finally {
      dead.disconnect();
    }
  });

  it('counts in memory without Redis at all', async () => {
    const counters = createTokenEndpointCounters({ keyPrefix, perIpPerMinute: 1, perClientPerMinute: 1 });
    expect(stable((await counters.admit('192.0.2.1', undefined)).address)).toMatchObject({ store: 'memory' });
    expect(stable((await counters.admit('192.0.2.1', undefined)).address)).toMatchObject({ allowed: false });
  });
});
