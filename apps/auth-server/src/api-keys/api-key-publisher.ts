import {
  apiKeyDeletedMessage,
  apiKeyRecordKey,
  apiKeyRecordPattern,
  apiKeyRedisLayout,
} from '@portcullis/api-keys';
import type { PublishableApiKey } from '@portcullis/db';
import type { Redis } from 'ioredis';
import type { SignApiKeyRecord } from './api-key-record-signer.js';

export interface ApiKeyPublisherOptions {
  /** A client from createRedisClient: no offline queue, a command timeout: a dead Redis fails fast. */
  redis: Redis;
  /** REDIS_KEY_PREFIX (packages/api-keys redis-layout.ts builds every key and the channel from it). */
  keyPrefix: string;
  sign: SignApiKeyRecord;
  /** Told how many records went out (metrics). */
  onPublished?: (count: number) => void;
}

/** Puts signed API key records into Redis and announces them; no decision about which keys, only how. */
export interface ApiKeyPublisher {
  /** Signs each key's record, SETs it with a TTL ending at its `exp` and PUBLISHes it. Throws when Redis fails. */
  publish(keys: readonly PublishableApiKey[], now?: Date): Promise<void>;
  /** DELetes the records and PUBLISHes `deleted:<id>` for each. Throws when Redis fails. */
  unpublish(ids: readonly string[]): Promise<void>;
  /** The ids of every record Redis holds under the prefix (SCAN, never KEYS). */
  publishedIds(): Promise<string[]>;
}

/** Keys per MULTI: bounds one round trip's size when thousands of records are re-signed. */
const BATCH = 200;

/**
 * The Redis side of API key records (packages/api-keys redis-layout.ts): `<prefix>api-key:<id>` holds the
 * compact JWS until its `exp` (PX), and the channel carries the JWS (added or re-signed) or `deleted:<id>`.
 * SET and PUBLISH go in one MULTI per batch, so a resource server that hears a message finds the record.
 *
 * @example
 * const publisher = createApiKeyPublisher({ redis, keyPrefix: 'portcullis:', sign });
 * await publisher.publish(await listPublishableApiKeys(prisma, new Date(), [id]));
 */
export function createApiKeyPublisher(options: ApiKeyPublisherOptions): ApiKeyPublisher {
  const { redis, keyPrefix, sign, onPublished } = options;
  const { channel } = apiKeyRedisLayout(keyPrefix);
  const recordKey = (id: string) => apiKeyRecordKey(keyPrefix, id);
  const recordPrefix = recordKey('');

  const unpublish = async (ids: readonly string[]) => {
    for (let start = 0; start < ids.length; start += BATCH) {
      const multi = redis.multi();
      for (const id of ids.slice(start, start + BATCH)) {
        multi.del(recordKey(id)).publish(channel, apiKeyDeletedMessage(id));
      }
      await execOrThrow(multi);
    }
  };

  return {
    async publish(keys, now = new Date()) {
      const expired: string[] = [];
      for (let start = 0; start < keys.length; start += BATCH) {
        const multi = redis.multi();
        let published = 0;
        for (const key of keys.slice(start, start + BATCH)) {
          const { jws, claims } = sign(key, now);
          const ttlMs = claims.exp * 1000 - now.getTime();
          // A key expiring within this second: nothing left to publish.
          if (ttlMs <= 0) {
            expired.push(key.id);
            continue;
          }
          multi.set(recordKey(key.id), jws, 'PX', ttlMs).publish(channel, jws);
          published += 1;
        }
        if (published > 0) await execOrThrow(multi);
        else multi.discard();
        onPublished?.(published);
      }
      if (expired.length > 0) await unpublish(expired);
    },
    unpublish,
    async publishedIds() {
      const ids: string[] = [];
      const pattern = apiKeyRecordPattern(keyPrefix);
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        for (const key of found) ids.push(key.slice(recordPrefix.length));
      } while (cursor !== '0');
      return ids;
    },
  };
}

/** ioredis resolves MULTI with per-command errors instead of rejecting: any of them fails the batch. */
async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  if (!results) throw new Error('Redis aborted the transaction');
  for (const [error] of results) if (error) throw error;
}
