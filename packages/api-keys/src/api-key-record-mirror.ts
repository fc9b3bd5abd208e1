import { GuardUnavailableError, InvalidTokenError } from '@portcullis/guard';
import type { Redis } from 'ioredis';
import { apiKeyRecordPattern, apiKeyRedisLayout } from './redis-layout.js';
import type { ApiKeyRecordVerifier, VerifiedApiKeyRecord } from './verify-api-key-record.js';

/** Same shape as the revocation mirror's logger (message, details). */
export interface ApiKeyRecordMirrorLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface ApiKeyRecordMirrorOptions {
  /** Command connection: SCAN and MGET. May be shared with the revocation mirror. */
  redis: Redis;
  /** A subscribed connection (it can run nothing else); may be the revocation mirror's. */
  subscriber: Redis;
  /** REDIS_KEY_PREFIX, as the auth server publishes under. */
  keyPrefix: string;
  /** Checks each record string once, when it is new (createApiKeyRecordVerifier). */
  verifyRecord: ApiKeyRecordVerifier;
  /** How often to reload every record from Redis and drop expired ones. Default 5000. */
  reloadIntervalMs?: number;
  /** A reload taking longer than this counts as failed. Default 10000. */
  loadTimeoutMs?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  logger?: ApiKeyRecordMirrorLogger;
}

export interface ApiKeyRecordMirrorStatus {
  /** Whether a full load from Redis has succeeded since start. */
  loaded: boolean;
  /** Epoch ms when the last successful load started. */
  lastLoadAt: number | undefined;
  records: number;
  /** Records waiting for a signing key the JWKS cache does not have yet. */
  pending: number;
  subscribed: boolean;
}

/** Where the key verifier finds records: by key id, only while in force. */
export interface ApiKeyRecordSource {
  get(keyId: string): VerifiedApiKeyRecord | undefined;
}

export interface ApiKeyRecordMirror extends ApiKeyRecordSource {
  /**
   * Subscribes and loads; resolves true when both worked. Never rejects: on failure it keeps retrying at
   * every reload interval (Redis down at boot must not stop the server; keys are refused meanwhile).
   */
  start(): Promise<boolean>;
  /** Stops reloading and unsubscribes; closing the connections is the owner's job. */
  stop(): Promise<void>;
  /** Loads every record from Redis now; resolves false when it failed. What the interval runs. */
  reload(): Promise<boolean>;
  status(): ApiKeyRecordMirrorStatus;
}

interface Held {
  readonly jws: string;
  readonly record: VerifiedApiKeyRecord;
  /** Ordering stamp: when it was stored, in the mirror's sequence of changes. */
  readonly stamp: number;
}

/** Record strings known to be bad, not verified (nor logged) again; emptied when full. */
const MAX_REJECTED = 1024;
/** Records waiting for their signing key; bounded so junk on the channel cannot grow memory. */
const MAX_PENDING = 1024;
const MGET_BATCH = 500;

/**
 * The in-memory copy of the API key records the auth server publishes (issue 8), built like the revocation
 * mirror: loaded at start with SCAN + MGET, kept current by the channel, reloaded every `reloadIntervalMs`.
 * Each record string is verified once, when it is first seen; per key id the record with the latest `iat`
 * is kept (a re-signed record may carry fewer roles), dropped on a `deleted:<id>` message, when a reload no
 * longer finds it, and at its `exp`. Bad records are ignored and logged by reason, never by content. A
 * record signed by a key the JWKS cache does not know yet is retried at the next reloads (the key store
 * refetches at most once per its unknown-kid cooldown) rather than dropped.
 *
 * It has no staleness rule of its own: revoking a key also writes a `jti` revocation (value = key id) that
 * the revocation mirror enforces within a second and fails closed on; a record outlives a missed deletion
 * by at most its own short lifetime.
 *
 * @example
 * const mirror = createApiKeyRecordMirror({ redis, subscriber, keyPrefix: 'portcullis:', verifyRecord });
 * await mirror.start();
 * mirror.get('3f9c0a1b2c3d4e5f6a7b')?.claims.scope;
 */
export function createApiKeyRecordMirror(options: ApiKeyRecordMirrorOptions): ApiKeyRecordMirror {
  const { redis, subscriber, keyPrefix, verifyRecord, logger } = options;
  if (typeof keyPrefix !== 'string')
    throw new TypeError('createApiKeyRecordMirror: keyPrefix must be a string');
  if (typeof verifyRecord !== 'function') {
    throw new TypeError('createApiKeyRecordMirror: verifyRecord must be a function');
  }
  const reloadIntervalMs = positiveInteger('reloadIntervalMs', options.reloadIntervalMs ?? 5000);
  const loadTimeoutMs = positiveInteger('loadTimeoutMs', options.loadTimeoutMs ?? 10_000);
  const now = options.now ?? Date.now;
  const { channel } = apiKeyRedisLayout(keyPrefix);
  const pattern = apiKeyRecordPattern(keyPrefix);

  const held = new Map<string, Held>();
  /** The record strings held, so one seen again (every reload reads them all) is not verified again. */
  const heldByJws = new Map<string, VerifiedApiKeyRecord>();
  /** Key ids deleted by a message during the load in flight: the load's older snapshot must not revive them. */
  const deletedAt = new Map<string, number>();
  const rejected = new Set<string>();
  const pending = new Set<string>();
  let stamp = 0;
  let running = false;
  let subscribed = false;
  let loaded = false;
  let lastLoadAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;

  /** Verifies a string not seen before; undefined when bad (remembered) or not checkable yet (pending). */
  async function verified(jws: string): Promise<VerifiedApiKeyRecord | undefined> {
    if (rejected.has(jws)) return undefined;
    try {
      const record = await verifyRecord(jws);
      pending.delete(jws);
      return record;
    } catch (error) {
      if (isRetryable(error)) {
        if (pending.size >= MAX_PENDING) pending.clear();
        pending.add(jws);
        return undefined;
      }
      pending.delete(jws);
      if (rejected.size >= MAX_REJECTED) rejected.clear();
      rejected.add(jws);
      logger?.warn('api key mirror: ignored an invalid record', {
        reason: error instanceof InvalidTokenError ? error.reason : 'malformed',
      });
      return undefined;
    }
  }

  /**
   * Keeps the newest record per key id; an older one changes nothing. `iat` has whole seconds: a record
   * signed in the same second as the one held replaces it, since a re-sign in that second (an owner's role
   * removed, a grace period started) must not be lost, and Redis and the channel carry the last one signed.
   */
  function store(jws: string, record: VerifiedApiKeyRecord): void {
    const id = record.claims.key_id;
    const current = held.get(id);
    if (current !== undefined && current.record.claims.iat > record.claims.iat) return;
    if (current !== undefined) heldByJws.delete(current.jws);
    held.set(id, { jws, record, stamp: ++stamp });
    heldByJws.set(jws, record);
  }

  function drop(id: string): void {
    const entry = held.get(id);
    if (entry === undefined) return;
    held.delete(id);
    heldByJws.delete(entry.jws);
  }

  async function accept(jws: string): Promise<void> {
    if (heldByJws.has(jws)) return;
    const record = await verified(jws);
    if (record) store(jws, record);
  }

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    if (message.startsWith('deleted:')) {
      const id = message.slice('deleted:'.length);
      drop(id);
      if (inFlight) deletedAt.set(id, ++stamp);
      return;
    }
    void accept(message);
  };
  const onClose = () => {
    subscribed = false;
  };
  const onReady = () => {
    if (!running || subscribed) return;
    // Messages published while the connection was down are lost: subscribe again, then reload.
    void subscribe().then((ok) => (ok ? reload() : false));
  };

  async function subscribe(): Promise<boolean> {
    try {
      await subscriber.subscribe(channel);
      subscribed = running;
      return true;
    } catch (error) {
      logger?.warn('api key mirror: subscribe failed', { channel, error: describe(error) });
      return false;
    }
  }

  async function scan(): Promise<string[]> {
    const records: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', MGET_BATCH);
      cursor = next;
      for (let start = 0; start < keys.length; start += MGET_BATCH) {
        const values = await redis.mget(keys.slice(start, start + MGET_BATCH));
        for (const value of values) if (value !== null) records.push(value);
      }
    } while (cursor !== '0');
    return records;
  }

  async function scanWithTimeout(): Promise<string[]> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        scan(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`load took over ${loadTimeoutMs} ms`)), loadTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }

  async function runReload(): Promise<boolean> {
    const startedAt = now();
    const startStamp = ++stamp;
    try {
      const snapshot = await scanWithTimeout();
      const present = new Set<string>();
      for (const jws of snapshot) {
        const record = heldByJws.get(jws) ?? (await verified(jws));
        if (record === undefined) continue;
        const id = record.claims.key_id;
        present.add(id);
        if ((deletedAt.get(id) ?? 0) > startStamp) continue;
        store(jws, record);
      }
      // Gone from Redis (deleted, or Redis restarted empty): gone here, unless it arrived during the scan.
      for (const [id, entry] of held) {
        if (!present.has(id) && entry.stamp < startStamp) drop(id);
      }
      for (const jws of [...pending]) await accept(jws);
      loaded = true;
      lastLoadAt = startedAt;
      return true;
    } catch (error) {
      logger?.warn('api key mirror: reload failed', { error: describe(error) });
      return false;
    } finally {
      deletedAt.clear();
      prune();
    }
  }

  function prune(): void {
    const nowSeconds = Math.floor(now() / 1000);
    for (const [id, entry] of held) if (entry.record.claims.exp <= nowSeconds) drop(id);
  }

  function reload(): Promise<boolean> {
    inFlight ??= runReload().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    get(keyId) {
      const entry = held.get(keyId);
      if (entry === undefined) return undefined;
      return entry.record.claims.exp > Math.floor(now() / 1000) ? entry.record : undefined;
    },
    async start() {
      if (running) return loaded;
      running = true;
      subscriber.on('message', onMessage);
      subscriber.on('close', onClose);
      subscriber.on('ready', onReady);
      timer = setInterval(() => {
        void (subscribed ? reload() : subscribe().then(() => reload()));
      }, reloadIntervalMs);
      timer.unref();
      // Subscribe before loading: a record published during the load arrives as a message.
      const ok = (await subscribe()) && (await reload());
      return ok;
    },
    async stop() {
      running = false;
      clearInterval(timer);
      timer = undefined;
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      if (subscribed) {
        subscribed = false;
        await subscriber.unsubscribe(channel).catch(() => undefined);
      }
      await inFlight;
    },
    reload,
    status() {
      return { loaded, lastLoadAt, records: held.size, pending: pending.size, subscribed };
    },
  };
}

/**
 * Not the record's fault: its signing key is not in the JWKS cache yet (a key rotated in after our last
 * fetch, inside the refetch cooldown) or the JWKS cannot be fetched now. Tried again at the next reload.
 */
function isRetryable(error: unknown): boolean {
  return (
    error instanceof GuardUnavailableError ||
    (error instanceof InvalidTokenError && error.reason === 'unknown_key')
  );
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createApiKeyRecordMirror: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
