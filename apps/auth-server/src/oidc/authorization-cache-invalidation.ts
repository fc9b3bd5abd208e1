import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { AuthorizationCache } from './authorization-cache.js';

/** What an admin changed; every instance drops its whole cache whatever it was (admin writes are rare). */
export interface AuthorizationChange {
  kind: 'client' | 'user' | 'role' | 'permission';
  id: string;
}

/** Clears this instance's caches and tells every other one; never rejects (a failure is logged). */
export type AnnounceAuthorizationChange = (change: AuthorizationChange) => Promise<void>;

/** An admin change that cannot reach any other cache (tests, or a single instance without Redis). */
export const noAuthorizationChangeAnnouncement: AnnounceAuthorizationChange = async () => {};

/**
 * The channel of authorization changes, next to the revocation channel (`<prefix>revocations`): every auth
 * server derives it from the same REDIS_KEY_PREFIX.
 *
 * @example
 * authorizationChangeChannel('portcullis:'); // 'portcullis:authorization-changes'
 */
export function authorizationChangeChannel(keyPrefix: string): string {
  return `${keyPrefix}authorization-changes`;
}

export interface AuthorizationCacheInvalidationOptions {
  cache: AuthorizationCache;
  logger: Logger;
  /** Both undefined without Redis: changes then clear this instance's cache only. */
  redis?: Redis | undefined;
  /** A connection of its own: a subscribed connection can run nothing else. */
  subscriber?: Redis | undefined;
  channel: string;
}

export interface AuthorizationCacheInvalidation {
  announce: AnnounceAuthorizationChange;
  /** Connects the subscriber in the background; never fails start-up. */
  start(): void;
  stop(): Promise<void>;
  /** Whether the cache is in use: always without Redis, else only while subscribed. */
  listening(): boolean;
}

/**
 * Keeps the authorization caches of every auth server consistent with admin changes (issue 7): the admin
 * API calls `announce` once a change is durable and before it answers; that clears this instance's cache
 * and PUBLISHes on the channel, and every instance clears its own on the message.
 *
 * The cache is used only while the subscription is up: when the subscriber's connection closes, every
 * lookup reads PostgreSQL until it has subscribed again, since messages published meanwhile are lost. What
 * is left — a message lost while the connection looks healthy (a hung Redis, a publish that failed on the
 * announcing instance) — is bounded by AUTHORIZATION_CACHE_TTL_SECONDS: for at most that long after the
 * admin API answered, an instance may still issue a token from the old record (e.g. to a client just
 * disabled; the revocation recorded with the disable covers tokens issued up to it, not after).
 *
 * @example
 * const invalidation = createAuthorizationCacheInvalidation({ cache, logger, redis, subscriber, channel });
 * invalidation.start();
 * await invalidation.announce({ kind: 'client', id: 'demo-service' });
 */
export function createAuthorizationCacheInvalidation(
  options: AuthorizationCacheInvalidationOptions,
): AuthorizationCacheInvalidation {
  const { cache, logger, redis, subscriber, channel } = options;
  if ((redis === undefined) !== (subscriber === undefined)) {
    throw new TypeError('createAuthorizationCacheInvalidation: give both redis and subscriber, or neither');
  }
  let running = false;
  let subscribed = false;
  const setSubscribed = (value: boolean) => {
    subscribed = value;
    cache.setEnabled(value);
  };

  const onMessage = (from: string) => {
    if (from === channel) cache.clear();
  };
  const onClose = () => {
    if (!subscribed) return;
    setSubscribed(false);
    logger.warn({ channel }, 'authorization caches off: invalidation channel lost; reading PostgreSQL');
  };
  const onReady = () => {
    if (!running || subscribed || !subscriber) return;
    subscriber.subscribe(channel).then(
      () => {
        if (!running) return;
        setSubscribed(true);
        logger.info({ channel }, 'authorization caches on: listening for invalidations');
      },
      (error: unknown) =>
        logger.warn({ channel, err: error }, 'authorization invalidation subscribe failed; caches stay off'),
    );
  };

  if (subscriber) cache.setEnabled(false);
  return {
    async announce(change) {
      cache.clear();
      if (!redis) return;
      try {
        // lazyConnect clients (createRedisClient) refuse commands until connected: no offline queue.
        if (redis.status === 'wait') await redis.connect();
        await redis.publish(channel, JSON.stringify(change));
      } catch (error) {
        logger.warn(
          { ...change, err: error },
          'authorization change not announced (Redis failed): other instances may serve the old record until their cache TTL',
        );
      }
    },
    start() {
      if (running || !subscriber) return;
      running = true;
      subscriber.on('message', onMessage);
      subscriber.on('close', onClose);
      subscriber.on('ready', onReady);
      if (subscriber.status === 'ready') onReady();
      else if (subscriber.status === 'wait') {
        // lazyConnect: ioredis reconnects by itself afterwards, and 'ready' subscribes again.
        subscriber.connect().catch(() => undefined);
      }
    },
    async stop() {
      if (!running || !subscriber) return;
      running = false;
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      setSubscribed(false);
    },
    listening: () => !subscriber || subscribed,
  };
}
