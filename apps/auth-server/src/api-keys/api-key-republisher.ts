import { listPublishableApiKeys, type PrismaClient } from '@portcullis/db';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { ApiKeyPublisher } from './api-key-publisher.js';

export interface ApiKeyRepublisherOptions {
  prisma: PrismaClient;
  redis: Redis;
  publisher: ApiKeyPublisher;
  /** REDIS_KEY_PREFIX: the cycle lock lives next to the records. */
  keyPrefix: string;
  /** The kid that signs now: a change re-signs every record with the new key. */
  signingKid: () => string;
  /** How long a record lives (the longest access-token lifetime), in seconds; re-signed every third of it. */
  recordLifetimeSeconds: number;
  logger: Logger;
  /** How often to look whether a cycle is due; default 5 s (tests go faster). */
  checkIntervalMs?: number;
}

export interface ApiKeyRepublisher {
  /** Starts the loop; the first cycle runs at once, in the background (start-up never waits for Redis). */
  start(): void;
  /**
   * Re-signs every active key now and resolves when done (or failed: it logs and retries on the next
   * check). After an authorization change, so that records narrow before the admin API answers.
   */
  refreshNow(): Promise<void>;
  /** Redis may lack a record or hold a stale one (a publish failed): the next check re-signs everything. */
  markDirty(): void;
  stop(): Promise<void>;
}

/**
 * Keeps every active API key's record in Redis signed and current: re-signs all of them (the owner's
 * current roles and permissions, the current signing key) every third of a record's lifetime, so each
 * record is renewed twice before it would expire; at once after the signing key changes; and on demand
 * (refreshNow) after an authorization change. Each cycle also deletes records of keys no longer active (a
 * disabled or deleted owner, an expiry), announcing `deleted:<id>`.
 *
 * Several auth servers share Redis: a periodic cycle first takes `<prefix>api-keys:republish:<kid>` with
 * SET NX PX (just under the interval), so one of them re-signs per interval and per key change, not all.
 * refreshNow skips the lock: the instance that made the change must not wait for another's schedule.
 * A failed cycle (Redis or PostgreSQL down) is logged and retried at the next check; never thrown.
 *
 * @example
 * const republisher = createApiKeyRepublisher({ prisma, redis, publisher, keyPrefix, signingKid, recordLifetimeSeconds: 600, logger });
 * republisher.start();
 */
export function createApiKeyRepublisher(options: ApiKeyRepublisherOptions): ApiKeyRepublisher {
  const { prisma, redis, publisher, keyPrefix, signingKid, logger } = options;
  const intervalMs = Math.max(1000, Math.floor((options.recordLifetimeSeconds * 1000) / 3));
  const checkIntervalMs = Math.min(options.checkIntervalMs ?? 5000, intervalMs);
  let lastCycleAt = Number.NEGATIVE_INFINITY;
  let lastKid: string | undefined;
  let failed = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Cycles never overlap: a refresh asked for during one runs after it (it may have read before the change).
  let queue: Promise<void> = Promise.resolve();

  const cycle = async (): Promise<void> => {
    const now = new Date();
    const keys = await listPublishableApiKeys(prisma, now);
    await publisher.publish(keys, now);
    const active = new Set(keys.map((key) => key.id));
    const stale = (await publisher.publishedIds()).filter((id) => !active.has(id));
    if (stale.length > 0) await publisher.unpublish(stale);
    logger.debug({ published: keys.length, deleted: stale.length }, 'api key records re-signed');
  };

  const run = (locked: boolean): Promise<void> => {
    queue = queue.then(async () => {
      if (stopped) return;
      const kid = signingKid();
      try {
        const lockKey = `${keyPrefix}api-keys:republish:${kid}`;
        const mine = !locked || (await redis.set(lockKey, '1', 'PX', intervalMs - 500, 'NX')) === 'OK';
        // Someone else re-signs this interval: count it as done here.
        if (mine) await cycle();
        lastCycleAt = Date.now();
        lastKid = kid;
        failed = false;
      } catch (error) {
        failed = true;
        logger.warn(
          { error: error instanceof Error ? error.message : String(error) },
          'api key records not re-signed (Redis or PostgreSQL failed); retrying',
        );
      }
    });
    return queue;
  };

  const check = () => {
    const due = failed || signingKid() !== lastKid || Date.now() - lastCycleAt >= intervalMs;
    // The lock names the kid, so a key change takes a fresh one. A retry after a failure takes none: the
    // failed cycle may have taken the lock itself.
    if (due) void run(!failed);
  };

  return {
    start() {
      if (timer) return;
      void run(false);
      timer = setInterval(check, checkIntervalMs).unref();
    },
    refreshNow: () => run(false),
    markDirty() {
      failed = true;
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await queue;
    },
  };
}
