import type { RedisClientOptions } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * What this app passes to createRedisClient. After disconnect(), ioredis waits `disconnectTimeout` (default
 * 2 s, on a ref'd timer) for the socket to close, even when it died already because Redis is down: closing
 * then kept the process alive for 2 s. A socket we close has nothing left to flush after QUIT.
 */
export const redisClientOptions: RedisClientOptions = { redisOptions: { disconnectTimeout: 200 } };

/**
 * Logs a Redis connection going down once and coming back once. ioredis emits 'error' on every reconnect
 * attempt (several a second at first), and without a listener Node would report each as unhandled.
 *
 * @example
 * const redis = createRedisClient(config.redis.url);
 * logRedisOutages(redis, logger, 'revocations');
 */
export function logRedisOutages(redis: Redis, logger: Logger, connection: string): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    // The message names host and port at most; the URL (which may hold a password) is never logged.
    logger.warn({ connection, error: error.message }, 'Redis unreachable; reconnecting in the background');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ connection }, 'Redis reachable again');
  });
}

/**
 * Closes a client within `boundMs`: QUIT when connected (replies already sent are read), then a hard
 * disconnect, which also stops the reconnect loop of a client whose Redis is down.
 *
 * @example
 * await closeRedisClient(redis);
 */
export async function closeRedisClient(redis: Redis, boundMs = 1000): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, boundMs);
      }),
    ]);
    clearTimeout(timer);
  }
  if (redis.status !== 'end') redis.disconnect();
}
