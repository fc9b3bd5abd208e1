import { Redis, type RedisOptions } from 'ioredis';
import { parseRevocationEntry, type RevocationEntry, type RevocationKind } from './revocation-entry.js';

/**
 * Where revocations live in Redis. Every key is built here (STYLE.md §8): `${keyPrefix}revoked:${kind}:${value}`
 * holding the JSON entry, with a TTL ending at its expiresAt.
 */
export interface RevocationRedisLayout {
  /** Prepended to every key, e.g. `portcullis:`. */
  keyPrefix: string;
  /** The channel every entry is published on. */
  channel: string;
}

/** The key of one revocation. */
export function revocationKey(keyPrefix: string, kind: RevocationKind, value: string): string {
  return `${keyPrefix}revoked:${kind}:${value}`;
}

/**
 * The key whose presence says Redis holds every revocation in force: an auth server sets it after copying the
 * PostgreSQL records in (seedRevocations). A flushed or restarted-empty Redis has lost it too, so a mirror
 * that finds it missing knows a snapshot would be incomplete.
 */
export function revocationsCompleteKey(keyPrefix: string): string {
  return `${keyPrefix}revocations:complete`;
}

/** Whether the complete-set marker is present (see revocationsCompleteKey). */
export async function revocationsAreComplete(redis: Redis, keyPrefix: string): Promise<boolean> {
  return (await redis.exists(revocationsCompleteKey(keyPrefix))) === 1;
}

export interface SeedRevocationsResult {
  /** Entries written (the unexpired ones). */
  written: number;
  /** Entries that were missing or different in Redis, and so were also published to running mirrors. */
  published: number;
}

/**
 * Copies every revocation in force (from the system of record) into Redis, publishes those Redis did not
 * already hold, then sets the complete-set marker. Idempotent, so several auth servers may run it at once.
 * The marker goes last: if Redis is flushed midway, it is missing and the next run starts over.
 *
 * @example
 * await seedRevocations(redis, await activeEntriesFromPostgres(), layout);
 */
export async function seedRevocations(
  redis: Redis,
  entries: readonly RevocationEntry[],
  layout: RevocationRedisLayout,
  now: number = Date.now(),
  batchSize = 500,
): Promise<SeedRevocationsResult> {
  const live = entries.filter((entry) => entry.expiresAt > now);
  let published = 0;
  for (let start = 0; start < live.length; start += batchSize) {
    const batch = live.slice(start, start + batchSize).map((entry) => ({
      key: revocationKey(layout.keyPrefix, entry.kind, entry.value),
      json: serializeEntry(entry),
      ttlMs: entry.expiresAt - now,
    }));
    const writes = redis.pipeline();
    for (const { key, json, ttlMs } of batch) writes.set(key, json, 'PX', ttlMs, 'GET');
    const previous = await execPipeline(writes);
    const changed = batch.filter(({ json }, index) => previous[index] !== json);
    if (changed.length > 0) {
      const publishes = redis.pipeline();
      for (const { json } of changed) publishes.publish(layout.channel, json);
      await execPipeline(publishes);
      published += changed.length;
    }
  }
  await redis.set(revocationsCompleteKey(layout.keyPrefix), String(now));
  return { written: live.length, published };
}

async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('Redis pipeline aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function serializeEntry(entry: RevocationEntry): string {
  return JSON.stringify({
    kind: entry.kind,
    value: entry.value,
    revokedAt: entry.revokedAt,
    expiresAt: entry.expiresAt,
  });
}

/** A SCAN MATCH pattern for every revocation key under the prefix; glob characters in it are escaped. */
export function revocationKeyPattern(keyPrefix: string): string {
  return `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}revoked:*`;
}

/**
 * Writes the entry and broadcasts it in one MULTI: the key (so a mirror starting later loads it) with a TTL
 * of expiresAt - now, then a PUBLISH on the channel (so running mirrors learn it at once). Returns false and
 * writes nothing when the entry has already expired. Call it after the PostgreSQL record is durable.
 *
 * @example
 * await publishRevocation(redis, { kind: 'jti', value: jti, revokedAt, expiresAt }, { keyPrefix: 'portcullis:', channel: 'portcullis:revocations' });
 */
export async function publishRevocation(
  redis: Redis,
  entry: RevocationEntry,
  layout: RevocationRedisLayout,
  now: number = Date.now(),
): Promise<boolean> {
  const ttlMs = entry.expiresAt - now;
  if (ttlMs <= 0) return false;
  const json = serializeEntry(entry);
  const results = await redis
    .multi()
    .set(revocationKey(layout.keyPrefix, entry.kind, entry.value), json, 'PX', ttlMs)
    .publish(layout.channel, json)
    .exec();
  // exec() resolves null when the transaction was aborted, and reports per-command errors in its results.
  if (results === null) throw new Error('publishRevocation: MULTI aborted');
  for (const [error] of results) if (error) throw error;
  return true;
}

export interface LoadRevocationsOptions {
  /** SCAN COUNT hint and MGET batch size. */
  batchSize?: number;
  /** Told about each key whose content is not a valid entry (it is skipped). */
  onInvalid?: (key: string) => void;
}

/**
 * Reads every revocation under the prefix: SCAN MATCH, then one MGET per batch of keys. Keys that expire
 * between the two read as null and are skipped; malformed content is skipped too (it is external input).
 * Scans a single node: with Redis Cluster, run it against each master.
 *
 * @example
 * const entries = await loadRevocations(redis, 'portcullis:');
 */
export async function loadRevocations(
  redis: Redis,
  keyPrefix: string,
  options: LoadRevocationsOptions = {},
): Promise<RevocationEntry[]> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`loadRevocations: batchSize must be a positive integer, got ${batchSize}`);
  }
  const pattern = revocationKeyPattern(keyPrefix);
  const entries: RevocationEntry[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', batchSize);
    cursor = next;
    for (let start = 0; start < keys.length; start += batchSize) {
      const batch = keys.slice(start, start + batchSize);
      const values = await redis.mget(batch);
      values.forEach((raw, index) => {
        if (raw === null) return;
        const entry = parseRevocationEntry(raw);
        if (entry) entries.push(entry);
        else options.onInvalid?.(batch[index] ?? '');
      });
    }
  } while (cursor !== '0');
  return entries;
}

export interface RedisClientOptions {
  /** A command not answered within this many ms rejects (default 500). */
  commandTimeoutMs?: number;
  /** Give up a connection attempt after this many ms (default 2000). */
  connectTimeoutMs?: number;
  /** Do not connect until `connect()` or the mirror's `start()` (default true). */
  lazyConnect?: boolean;
  /** Any other ioredis option; the settings above win. */
  redisOptions?: RedisOptions;
}

/**
 * An ioredis client that fails fast when Redis is down (shared/STACK-NOTES.md "ioredis"): the defaults queue
 * commands while disconnected and retry 20 times, so a dead Redis makes calls hang for seconds. Here a
 * command while disconnected rejects at once, a slow one after `commandTimeoutMs`, and reconnection keeps
 * going in the background.
 *
 * @example
 * const redis = createRedisClient(config.redisUrl);
 * const subscriber = createRedisClient(config.redisUrl);
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const commandTimeout = options.commandTimeoutMs ?? 500;
  const connectTimeout = options.connectTimeoutMs ?? 2000;
  for (const [name, value] of [
    ['commandTimeoutMs', commandTimeout],
    ['connectTimeoutMs', connectTimeout],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`createRedisClient: ${name} must be a positive integer, got ${value}`);
    }
  }
  return new Redis(url, {
    ...options.redisOptions,
    enableOfflineQueue: false,
    commandTimeout,
    connectTimeout,
    maxRetriesPerRequest: 1,
    lazyConnect: options.lazyConnect ?? true,
  });
}
