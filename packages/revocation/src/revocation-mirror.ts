import type { RevocationCheck } from '@portcullis/guard';
import type { Redis } from 'ioredis';
import { loadRevocations, revocationsCompleteToken } from './redis-revocation-store.js';
import { parseRevocationEntry, type RevocationEntry } from './revocation-entry.js';
import { RevocationMirrorStaleError } from './revocation-mirror-stale-error.js';
import { createRevocationSet } from './revocation-set.js';

export interface RevocationMirrorLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface RevocationMirrorOptions {
  /** Command connection: SCAN and MGET for snapshots. */
  redis: Redis;
  /** A second connection for SUBSCRIBE (a subscribed connection can run nothing else). */
  subscriber: Redis;
  keyPrefix: string;
  channel: string;
  /** How often to reload Redis (and the source) and prune expired entries. Default 5000. */
  reconcileIntervalMs?: number;
  /**
   * When the last successful, complete load started longer ago than this, isRevoked throws
   * RevocationMirrorStaleError. Default 30000. Must exceed reconcileIntervalMs plus a load's duration, or a
   * healthy mirror goes stale between reloads.
   */
  maxStalenessMs?: number;
  /** A load (Redis + source) taking longer than this counts as failed. Default 10000. */
  loadTimeoutMs?: number;
  /**
   * The system of record (the auth server's PostgreSQL records, in force). Merged with Redis on every load,
   * so the mirror is whole again after Redis restarted empty.
   */
  loadFromSource?: () => Promise<RevocationEntry[]>;
  /**
   * Count a Redis snapshot as complete only when the complete-set marker is there, with the same value, both
   * before and after the scan (an auth server restored Redis from PostgreSQL after it was flushed or
   * restarted empty, and did not do it again during the scan). Default true; otherwise the load fails, and
   * after maxStalenessMs the mirror fails closed rather than trust a partial set.
   */
  requireCompleteMarker?: boolean;
  /** Epoch ms. */
  now?: () => number;
  logger?: RevocationMirrorLogger;
}

/** One load: what was read, and whether it is everything in force. */
interface Snapshot {
  entries: RevocationEntry[];
  complete: boolean;
}

export interface RevocationMirrorStatus {
  /** Whether isRevoked answers now (rather than throwing RevocationMirrorStaleError). */
  fresh: boolean;
  /** Epoch ms when the last successful, complete load started; undefined before the first. */
  lastSyncAt: number | undefined;
  entries: number;
  subscribed: boolean;
}

export type RevocationMirror = RevocationCheck & {
  /** Subscribes, then loads the first snapshot; rejects (and stays stopped) if either fails. */
  start(): Promise<void>;
  /** Stops reconciling and unsubscribes; closing the connections is the owner's job. */
  stop(): Promise<void>;
  status(): RevocationMirrorStatus;
  /** Reloads now (Redis + source) and prunes; what the interval runs. Resolves false when it failed. */
  reconcile(): Promise<boolean>;
};

/**
 * The in-memory mirror a resource server checks every token against (DESIGN.md "Revocation"): loaded at
 * start, kept current by the Redis channel, reloaded every `reconcileIntervalMs`. isRevoked makes no network
 * call and never waits. When reloads fail, it keeps answering from memory until `maxStalenessMs` after the
 * start of the last one that succeeded, then throws RevocationMirrorStaleError (503) — except for a token
 * it already knows is revoked, which is always refused.
 *
 * Freshness rests on the reloads alone, never on the subscription looking healthy: a hung Redis (SIGSTOP)
 * or a silently cut network keeps the subscriber's socket open while no message can arrive, and a
 * revocation the auth server could not broadcast meanwhile must not be accepted for the whole hang.
 *
 * @example
 * const mirror = createRevocationMirror({ redis, subscriber, keyPrefix: 'portcullis:', channel: 'portcullis:revocations' });
 * await mirror.start();
 * const verifier = createAccessTokenVerifier({ ...options, revocation: mirror });
 */
export function createRevocationMirror(options: RevocationMirrorOptions): RevocationMirror {
  const { redis, subscriber, keyPrefix, channel, loadFromSource, logger } = options;
  const requireCompleteMarker = options.requireCompleteMarker ?? true;
  const reconcileIntervalMs = positiveInteger('reconcileIntervalMs', options.reconcileIntervalMs ?? 5000);
  const maxStalenessMs = positiveInteger('maxStalenessMs', options.maxStalenessMs ?? 30_000);
  const loadTimeoutMs = positiveInteger('loadTimeoutMs', options.loadTimeoutMs ?? 10_000);
  if (typeof keyPrefix !== 'string')
    throw new TypeError('createRevocationMirror: keyPrefix must be a string');
  if (typeof channel !== 'string' || channel === '') {
    throw new TypeError('createRevocationMirror: channel must be a non-empty string');
  }
  const now = options.now ?? Date.now;
  const set = createRevocationSet();

  let running = false;
  /** For status and to resubscribe after a reconnect; freshness does not depend on it (see above). */
  let subscribed = false;
  /** When the last successful, complete load started: every revocation in Redis by then is in memory. */
  let lastSyncAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;
  let lastLoadError: unknown;
  const retryAfterSeconds = Math.max(1, Math.ceil(reconcileIntervalMs / 1000));

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    const entry = parseRevocationEntry(message);
    if (entry) set.add(entry);
    else logger?.warn('revocation mirror: ignored a malformed message', { channel });
  };
  const onClose = () => {
    if (!subscribed) return;
    subscribed = false;
    logger?.warn('revocation mirror: subscription lost', { channel });
  };
  const onReady = () => {
    if (!running || subscribed) return;
    // Messages published while the connection was down are lost: subscribe again, then reload.
    subscriber
      .subscribe(channel)
      .then(() => {
        if (!running) return;
        subscribed = true;
        return reconcile();
      })
      .catch((error: unknown) => {
        logger?.warn('revocation mirror: resubscribe failed', { channel, error: describe(error) });
      });
  };

  async function load(): Promise<Snapshot> {
    const onInvalid = (key: string) => logger?.warn('revocation mirror: ignored a malformed key', { key });
    // The marker is read before and after the scan, and the scan counts only if both found the same copy's
    // token: a flush during the scan removes it, and a flush followed by a new copy replaces it.
    const markerBefore = requireCompleteMarker ? await revocationsCompleteToken(redis, keyPrefix) : null;
    const [fromRedis, fromSource] = await Promise.all([
      loadRevocations(redis, keyPrefix, { onInvalid }),
      loadFromSource ? loadFromSource() : Promise.resolve([]),
    ]);
    const markerAfter = requireCompleteMarker ? await revocationsCompleteToken(redis, keyPrefix) : null;
    const complete = !requireCompleteMarker || (markerBefore !== null && markerBefore === markerAfter);
    const valid = fromSource
      .map((entry) => parseRevocationEntry(entry))
      .filter((entry) => entry !== undefined);
    if (valid.length !== fromSource.length) {
      logger?.warn('revocation mirror: ignored malformed entries from the source', {
        count: fromSource.length - valid.length,
      });
    }
    return { entries: [...fromRedis, ...valid], complete };
  }

  async function loadWithTimeout(): Promise<Snapshot> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        load(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`load took over ${loadTimeoutMs} ms`)), loadTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }

  async function runReconcile(): Promise<boolean> {
    const startedAt = now();
    try {
      const { entries, complete } = await loadWithTimeout();
      // Merge, never replace: a revocation is never undone, and a flushed Redis must not forget one.
      for (const entry of entries) set.add(entry);
      set.prune(now());
      if (!complete) {
        throw new Error(
          'Redis held no complete revocation set throughout the scan (flushed or restarted, and not yet reseeded?)',
        );
      }
      // In sync as of when the load started: anything written after it may have been missed.
      lastSyncAt = Math.max(lastSyncAt ?? startedAt, startedAt);
      return true;
    } catch (error) {
      lastLoadError = error;
      set.prune(now());
      logger?.warn('revocation mirror: reload failed', { error: describe(error) });
      return false;
    }
  }

  function reconcile(): Promise<boolean> {
    inFlight ??= runReconcile().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function isFresh(at: number): boolean {
    return running && lastSyncAt !== undefined && at - lastSyncAt <= maxStalenessMs;
  }

  /** A client from createRedisClient is lazy and has no offline queue: connect it before the first command. */
  async function ensureConnected(client: Redis): Promise<void> {
    if (client.status === 'ready') return;
    if (client.status === 'wait' || client.status === 'end') {
      await client.connect();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => done(new Error('Redis did not become ready')), loadTimeoutMs);
      const onError = (error: Error) => done(error);
      const onReadyOnce = () => done();
      function done(error?: Error) {
        clearTimeout(timeout);
        client.off('ready', onReadyOnce);
        client.off('error', onError);
        if (error) reject(error);
        else resolve();
      }
      client.once('ready', onReadyOnce);
      client.once('error', onError);
    });
  }

  async function stop(): Promise<void> {
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
  }

  return {
    isRevoked(subject) {
      const at = now();
      if (set.isRevoked(subject, at)) return true;
      if (!isFresh(at)) throw new RevocationMirrorStaleError(retryAfterSeconds, lastSyncAt);
      return false;
    },
    async start() {
      if (running) return;
      await Promise.all([ensureConnected(redis), ensureConnected(subscriber)]);
      subscriber.on('message', onMessage);
      subscriber.on('close', onClose);
      subscriber.on('ready', onReady);
      try {
        // Subscribe before loading: a revocation published during the load arrives as a message.
        await subscriber.subscribe(channel);
        running = true;
        subscribed = true;
        const loaded = await reconcile();
        if (!loaded) throw new Error('revocation mirror: the first load failed', { cause: lastLoadError });
      } catch (error) {
        await stop();
        throw error;
      }
      timer = setInterval(() => {
        void reconcile();
      }, reconcileIntervalMs);
      timer.unref();
    },
    stop,
    status() {
      const at = now();
      return { fresh: isFresh(at), lastSyncAt, entries: set.size, subscribed };
    },
    reconcile,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createRevocationMirror: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
