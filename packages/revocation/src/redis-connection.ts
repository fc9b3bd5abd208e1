import type { Redis } from 'ioredis';
import type { RevocationRedisLayout } from './redis-revocation-store.js';

/** The two log levels these helpers use, pino-style (details first). */
export interface RedisConnectionLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

/**
 * Keys under `<prefix>revoked:` and the channel `<prefix>revocations`: the auth server and every resource
 * server derive the same names from the same REDIS_KEY_PREFIX.
 *
 * @example
 * const { keyPrefix, channel } = revocationRedisLayout('portcullis:'); // channel: 'portcullis:revocations'
 */
export function revocationRedisLayout(keyPrefix: string): RevocationRedisLayout {
  return { keyPrefix, channel: `${keyPrefix}revocations` };
}

/**
 * Logs a Redis connection going down once and coming back once. ioredis emits 'error' on every reconnect
 * attempt (several a second at first), and without a listener Node would report each as unhandled.
 *
 * @example
 * const redis = createRedisClient(config.redis.url);
 * logRedisOutages(redis, logger, 'revocations');
 */
export function logRedisOutages(redis: Redis, logger: RedisConnectionLogger, connection: string): void {
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
