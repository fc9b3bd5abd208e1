import type { Redis } from 'ioredis';

/**
 * Redis's `maxmemory-policy`, or undefined when it cannot be read (managed services often disable
 * CONFIG, and Redis may be down). Anything but `noeviction` may silently drop a revocation key under
 * memory pressure: a gap that lasts until the next resync.
 *
 * @example
 * const policy = await readEvictionPolicy(redis);
 * if (policy !== undefined && policy !== 'noeviction') logger.warn({ policy }, 'Redis may evict revocations');
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
  } catch {
    return undefined;
  }
}
