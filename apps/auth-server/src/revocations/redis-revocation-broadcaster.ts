import { publishRevocation, type RevocationRedisLayout } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RevocationBroadcaster } from './revocation-broadcaster.js';
import { toRevocationEntry } from './to-revocation-entry.js';

export interface RedisRevocationBroadcasterOptions {
  /** A client from createRedisClient: no offline queue and a command timeout bound every broadcast. */
  redis: Redis;
  layout: RevocationRedisLayout;
  logger: Logger;
  /** Told that Redis may lack a durable record; the reseeder then copies every record in force back. */
  onMissed: () => void;
}

/**
 * Announces a durable revocation (DESIGN.md "Revocation"): its Redis key with a TTL until expiresAt, and a
 * publish on the channel every resource server's mirror listens to, in one MULTI.
 *
 * Never fails the request: the record is already in PostgreSQL, so when Redis is down or slow the
 * broadcaster logs, asks for a full reseed (which runs as soon as Redis answers), and returns. It takes at
 * most the client's command timeout, and no time at all while Redis is disconnected.
 *
 * @example
 * const onMissed = () => reseeder.markDirty();
 * const broadcaster = createRedisRevocationBroadcaster({ redis, layout, logger, onMissed });
 */
export function createRedisRevocationBroadcaster(
  options: RedisRevocationBroadcasterOptions,
): RevocationBroadcaster {
  const { redis, layout, logger, onMissed } = options;
  return {
    async broadcast(record) {
      try {
        await publishRevocation(redis, toRevocationEntry(record), layout);
      } catch (error) {
        onMissed();
        // The record id and kind identify it in the admin API; the value may be a user id, and never a token.
        logger.warn(
          {
            revocationId: record.id,
            kind: record.kind,
            error: error instanceof Error ? error.message : String(error),
          },
          'revocation recorded but not broadcast (Redis failed); Redis is reseeded once it answers',
        );
      }
    },
  };
}
