import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/redis-revocation-store.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix and channel no other test run shares. */
export function uniqueLayout(): { keyPrefix: string; channel: string } {
  const id = randomUUID();
  return { keyPrefix: `portcullis-test:${id}:`, channel: `portcullis-test:${id}:revocations` };
}

/** A connected client with the production settings (fail fast, no offline queue). */
export async function connectedClient(url = REDIS_URL): Promise<Redis> {
  const client = createRedisClient(url, { commandTimeoutMs: 1000 });
  await client.connect();
  return client;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(redis: Redis, keyPrefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Polls until the condition holds; rejects after `timeoutMs` (a generous bound, not an expectation). */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
