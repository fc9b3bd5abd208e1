import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { createRedisClient } from '../../../revocation/src/index.js';
import { waitFor } from '../../../revocation/test/support/redis-fixtures.js';
import { createRateLimiter, type RateLimiter, type RateLimitStoreChange } from '../../src/index.js';

const COMMAND_TIMEOUT_MS = 1_000;
/** "Well under the command timeout": a call that did not wait for Redis. A generous bound, not a measure. */
const FAST_MS = COMMAND_TIMEOUT_MS / 4;
const COOL_OFF_MS = 5_000;

/**
 * The circuit breaker against a redis-server of our own that hangs (SIGSTOP): one call waits out the
 * command timeout, the calls after it count in memory at once until the cool-off is over. The cool-off is
 * crossed by moving the limiter's clock, never by waiting.
 */
describe('createRateLimiter circuit breaker', () => {
  let redisServer: OwnRedisServer;
  let client: Redis;
  let limiter: RateLimiter;
  let skewMs = 0;
  const changes: RateLimitStoreChange[] = [];

  async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await call();
    return { value, ms: performance.now() - started };
  }

  beforeAll(async () => {
    redisServer = await ownRedisServer();
    await redisServer.start();
    client = createRedisClient(redisServer.url, {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 500,
    });
    client.on('error', () => undefined); // timeouts while the server is paused are expected
    await client.connect();
    limiter = createRateLimiter({
      redis: client,
      keyPrefix: 'breaker:',
      name: 'breaker',
      points: 5,
      durationSeconds: 60,
      redisCoolOffMs: COOL_OFF_MS,
      now: () => Date.now() + skewMs,
      onStoreChange: (change) => changes.push(change),
    });
  });
  afterEach(() => redisServer.resume()); // never leave the server stopped, whatever failed
  afterAll(async () => {
    client?.disconnect();
    await redisServer?.kill();
  });

  it('after one timeout, answers from memory at once until the cool-off is over', async () => {
    expect((await limiter.consume('k')).store).toBe('redis');
    redisServer.pause();

    const first = await timed(() => limiter.consume('k'));
    expect(first.value.store).toBe('memory');
    expect(changes).toEqual([{ store: 'memory', error: expect.any(Error) }]);

    const later = [];
    for (let i = 0; i < 10; i += 1) later.push(await timed(() => limiter.consume('k')));
    later.push(await timed(() => limiter.peek('k')));
    later.push(await timed(() => limiter.refund('k').then(() => undefined)));
    for (const call of later) expect(call.ms).toBeLessThan(FAST_MS);
    // Still limited, per instance: 5 points, 11 counted, 1 given back.
    expect(later.slice(0, 10).map((call) => call.value?.allowed)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  }, 20_000);

  it('after the cool-off, one call probes Redis while the others stay in memory', async () => {
    redisServer.pause();
    skewMs += COOL_OFF_MS;
    const probe = timed(() => limiter.consume('p'));
    const during = [];
    for (let i = 0; i < 3; i += 1) during.push(await timed(() => limiter.consume('p')));
    for (const call of during) {
      expect(call.ms).toBeLessThan(FAST_MS);
      expect(call.value.store).toBe('memory');
    }
    expect((await probe).value.store).toBe('memory'); // Redis still hangs: the probe timed out
    expect((await timed(() => limiter.consume('p'))).ms).toBeLessThan(FAST_MS); // open again
  }, 20_000);

  it('goes back to Redis with the first probe after the cool-off that Redis answers', async () => {
    redisServer.resume();
    await waitFor(() => client.status === 'ready', 10_000, 'the client after the pause');
    expect((await limiter.consume('q')).store).toBe('memory'); // still cooling off
    skewMs += COOL_OFF_MS;
    expect(await limiter.consume('q')).toMatchObject({ store: 'redis', remaining: 4 });
    expect(await limiter.peek('q')).toMatchObject({ store: 'redis', remaining: 4 });
    expect(changes.at(-1)).toEqual({ store: 'redis' });
  }, 20_000);
});
