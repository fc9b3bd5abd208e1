import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisClient } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import { waitFor } from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import type { Logger } from '../../src/logger.js';
import type { AuthorizationCache } from '../../src/oidc/authorization-cache.js';
import {
  type AuthorizationCacheInvalidation,
  authorizationChangeChannel,
  createAuthorizationCacheInvalidation,
} from '../../src/oidc/authorization-cache-invalidation.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A cache that records what the invalidation does to it. */
function recordingCache() {
  const state = { clears: 0, enabled: true };
  const cache = {
    clear: () => {
      state.clears += 1;
    },
    setEnabled: (enabled: boolean) => {
      state.enabled = enabled;
    },
  } as unknown as AuthorizationCache;
  return { cache, state };
}

/**
 * The channel that keeps every instance's authorization cache in line with admin changes, against a Redis of
 * the test's own (killed and restarted): the cache is used only while the subscription is up.
 */
describe('authorization cache invalidation (own redis-server)', () => {
  let redisServer: OwnRedisServer;
  const channel = authorizationChangeChannel('portcullis-test:');
  const clients: Redis[] = [];
  const instances: AuthorizationCacheInvalidation[] = [];

  function instance() {
    const redis = createRedisClient(redisServer.url, { commandTimeoutMs: 500, connectTimeoutMs: 500 });
    const subscriber = createRedisClient(redisServer.url, { commandTimeoutMs: 500, connectTimeoutMs: 500 });
    for (const client of [redis, subscriber]) {
      client.on('error', () => undefined);
      clients.push(client);
    }
    const { cache, state } = recordingCache();
    const invalidation = createAuthorizationCacheInvalidation({
      cache,
      logger: silent,
      redis,
      subscriber,
      channel,
    });
    instances.push(invalidation);
    return { invalidation, state, redis };
  }

  beforeAll(async () => {
    redisServer = await ownRedisServer();
    await redisServer.start();
  });
  afterAll(async () => {
    for (const invalidation of instances) await invalidation.stop();
    for (const client of clients) client.disconnect();
    redisServer.resume();
    await redisServer.kill();
  });

  it('keeps the cache off until subscribed, then clears it on every announced change, here and elsewhere', async () => {
    const first = instance();
    const second = instance();
    expect(first.state.enabled).toBe(false);
    first.invalidation.start();
    second.invalidation.start();
    await waitFor(
      () => first.invalidation.listening() && second.invalidation.listening(),
      5000,
      'subscribed',
    );
    expect(first.state.enabled && second.state.enabled).toBe(true);

    const before = { first: first.state.clears, second: second.state.clears };
    await first.invalidation.announce({ kind: 'client', id: 'svc' });
    // Cleared here before the announcement returns; the other instance on the message.
    expect(first.state.clears).toBeGreaterThan(before.first);
    await waitFor(() => second.state.clears > before.second, 5000, 'the other instance cleared');
  });

  it('turns the cache off while the channel is down and on again once resubscribed', async () => {
    const { invalidation, state } = instance();
    invalidation.start();
    await waitFor(() => invalidation.listening(), 5000, 'subscribed');
    await redisServer.kill();
    await waitFor(() => !invalidation.listening(), 5000, 'the subscription lost');
    expect(state.enabled).toBe(false);
    // An announcement with Redis down still clears this instance and does not throw.
    const clears = state.clears;
    await expect(invalidation.announce({ kind: 'role', id: 'editor' })).resolves.toBeUndefined();
    expect(state.clears).toBeGreaterThan(clears);

    await redisServer.start();
    await waitFor(() => invalidation.listening(), 10_000, 'resubscribed');
    expect(state.enabled).toBe(true);
  });

  it('uses the cache from the start without Redis (one instance: its own changes are all there are)', () => {
    const { cache, state } = recordingCache();
    const invalidation = createAuthorizationCacheInvalidation({ cache, logger: silent, channel });
    invalidation.start();
    expect(invalidation.listening()).toBe(true);
    expect(state.enabled).toBe(true);
  });
});
