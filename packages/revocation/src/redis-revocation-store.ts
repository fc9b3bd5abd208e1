import { randomUUID } from 'node:crypto';
import { type ChainableCommander, Redis, type RedisOptions } from 'ioredis';
import { RevocationCopyIncompleteError } from './revocation-copy-incomplete-error.js';
import { parseRevocationEntry, type RevocationEntry, type RevocationKind } from './revocation-entry.js';
import { markRevocationsComplete, mergeRevocation, pipelineOfMerges } from './revocation-scripts.js';

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
 * The complete-set marker: present when Redis holds every revocation in force. An auth server sets it at the
 * end of a copy of the PostgreSQL records (seedRevocations), to a token unique to that copy. A flushed or
 * restarted-empty Redis has lost it too, so a mirror that finds it missing knows a snapshot would be
 * incomplete; a mirror that finds a different token after its scan than before knows Redis was flushed and
 * copied again while it scanned.
 */
export function revocationsCompleteKey(keyPrefix: string): string {
  return `${keyPrefix}revocations:complete`;
}

/**
 * The key a copy (seedRevocations) creates when it starts and checks when it ends: if a flush deleted it
 * meanwhile, the copy is partial and must not set the complete-set marker. Outside the `revoked:` keys, so a
 * mirror never reads it as an entry.
 */
export function revocationCopyKey(keyPrefix: string, token: string): string {
  return `${keyPrefix}revocations:copy:${token}`;
}

/** Whether the complete-set marker is present (see revocationsCompleteKey). */
export async function revocationsAreComplete(redis: Redis, keyPrefix: string): Promise<boolean> {
  return (await redis.exists(revocationsCompleteKey(keyPrefix))) === 1;
}

/** The complete-set marker's value: the token of the copy that set it, or null when Redis has no complete set. */
export async function revocationsCompleteToken(redis: Redis, keyPrefix: string): Promise<string | null> {
  return redis.get(revocationsCompleteKey(keyPrefix));
}

export interface SeedRevocationsOptions {
  /** Epoch ms; entries that expired by then are skipped, and TTLs count from it. Default Date.now(). */
  now?: number;
  /** Entries per pipeline. Default 500. */
  batchSize?: number;
  /**
   * A copy that takes longer than this fails (its token key expires) rather than set the marker; the key
   * also goes away by itself when the copying process dies. Default 600000 (10 minutes).
   */
  maxCopyMs?: number;
  /** Called after each batch is written with how many entries are written so far (progress, tests). */
  afterBatch?: (copied: number) => void | Promise<void>;
}

export interface SeedRevocationsResult {
  /** Entries copied (the unexpired ones); Redis keeps what it held when that is as new or newer. */
  written: number;
  /** Entries Redis lacked or held older, which were therefore changed and published to running mirrors. */
  published: number;
  /** Entries left out because they are not valid entries (see parseRevocationEntry). */
  skipped: number;
  /** The complete-set marker's new value, unique to this copy. */
  token: string;
}

/**
 * Copies every revocation in force (from the system of record) into Redis, merging with what Redis holds
 * (later revokedAt and expiresAt win, as in PostgreSQL), publishes what changed, then sets the complete-set
 * marker to a token of its own. Idempotent, so several auth servers may run it at once.
 *
 * The marker is set only if the key this copy created at its start survived: if Redis was flushed or
 * restarted midway, the set is partial, the marker stays missing and this throws
 * RevocationCopyIncompleteError so the caller copies again.
 *
 * @example
 * await seedRevocations(redis, await activeEntriesFromPostgres(), layout);
 */
export async function seedRevocations(
  redis: Redis,
  entries: readonly RevocationEntry[],
  layout: RevocationRedisLayout,
  options: SeedRevocationsOptions = {},
): Promise<SeedRevocationsResult> {
  const now = options.now ?? Date.now();
  const batchSize = positiveInteger('seedRevocations', 'batchSize', options.batchSize ?? 500);
  const maxCopyMs = positiveInteger('seedRevocations', 'maxCopyMs', options.maxCopyMs ?? 600_000);
  const token = randomUUID();
  const tokenKey = revocationCopyKey(layout.keyPrefix, token);
  await redis.set(tokenKey, String(now), 'PX', maxCopyMs);

  // One bad record must not keep the marker unset (and every mirror closed) forever: it is skipped, as a
  // mirror would skip it when reading it back.
  const valid = entries.filter((entry) => parseRevocationEntry(entry) !== undefined);
  const live = valid.filter((entry) => entry.expiresAt > now);
  let published = 0;
  for (let start = 0; start < live.length; start += batchSize) {
    const batch = live.slice(start, start + batchSize).map((entry) => ({
      key: revocationKey(layout.keyPrefix, entry.kind, entry.value),
      entry,
    }));
    const changed = await execPipeline(pipelineOfMerges(redis, batch, now, layout.channel));
    published += changed.filter((result) => result === 1).length;
    await options.afterBatch?.(start + batch.length);
  }
  const marked = await markRevocationsComplete(
    redis,
    tokenKey,
    revocationsCompleteKey(layout.keyPrefix),
    token,
  );
  if (!marked) throw new RevocationCopyIncompleteError(live.length, published);
  return { written: live.length, published, skipped: entries.length - valid.length, token };
}

async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('Redis pipeline aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function positiveInteger(caller: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${caller}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** A SCAN MATCH pattern for every revocation key under the prefix; glob characters in it are escaped. */
export function revocationKeyPattern(keyPrefix: string): string {
  return `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}revoked:*`;
}

/**
 * Writes the entry and broadcasts it in one script (one round trip): merged with what Redis holds under its
 * key, keeping the later revokedAt and the later expiresAt (as the PostgreSQL upsert does), so an
 * out-of-order or repeated publish never replaces a newer entry; the TTL ends at the kept expiresAt; then,
 * only if the key changed, a PUBLISH of the kept entry on the channel (so running mirrors learn it at once).
 * Resolves true when Redis changed, false when it already held this entry or a newer one, or when the
 * entry has already expired (nothing is written); throws TypeError for an invalid entry. Call it after the
 * PostgreSQL record is durable.
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
  if (parseRevocationEntry(entry) === undefined) {
    // The value is left out: it may be a user id, and the message reaches logs.
    throw new TypeError(`publishRevocation: not a valid revocation entry (kind ${String(entry.kind)})`);
  }
  if (entry.expiresAt <= now) return false;
  const key = revocationKey(layout.keyPrefix, entry.kind, entry.value);
  return mergeRevocation(redis, key, entry, now, layout.channel);
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
  const batchSize = positiveInteger('loadRevocations', 'batchSize', options.batchSize ?? 500);
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
    // After disconnect() ioredis waits this long (default 2 s, on a ref'd timer) for the socket to close, even
    // when Redis is down and it is dead already: shutting down would hang for 2 s. Overridable.
    disconnectTimeout: 200,
    ...options.redisOptions,
    enableOfflineQueue: false,
    commandTimeout,
    connectTimeout,
    maxRetriesPerRequest: 1,
    lazyConnect: options.lazyConnect ?? true,
  });
}
