import { listActiveRevocations, type PrismaClient } from '@portcullis/db';
import { type RevocationRedisLayout, revocationsAreComplete, seedRevocations } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { toRevocationEntry } from './to-revocation-entry.js';

export interface RevocationReseederOptions {
  /** A client from createRedisClient (lazy, no offline queue); the reseeder connects it. */
  redis: Redis;
  prisma: PrismaClient;
  layout: RevocationRedisLayout;
  logger: Logger;
  /** A full reseed at least this often even when nothing looks wrong (REVOCATION_RESYNC_INTERVAL_SECONDS). */
  resyncIntervalMs: number;
  /** How often the complete-set marker is checked. Default 1000. */
  checkIntervalMs?: number;
  /** start() waits at most this long for Redis and the first reseed. Default 3000. */
  startTimeoutMs?: number;
}

/** Why a check copied PostgreSQL into Redis. */
export type ReseedReason = 'start' | 'missed-broadcast' | 'marker-missing' | 'periodic' | 'retry';

export type ReseedOutcome =
  | { action: 'unreachable' }
  | { action: 'in-sync' }
  | { action: 'reseeded'; reason: ReseedReason; written: number; published: number }
  | { action: 'failed'; reason: ReseedReason; error: string };

export interface RevocationReseeder {
  /** A record may be missing from Redis (a broadcast failed): reseed as soon as Redis answers. */
  markDirty(): void;
  /** One check now, what the timer runs every second; single-flight, never rejects. */
  check(): Promise<ReseedOutcome>;
  /** Connects, starts the timer and runs the first check, waiting at most startTimeoutMs; never rejects. */
  start(): Promise<void>;
  /** Stops the timer and waits for a check in flight; closing the client is the owner's job. */
  stop(): Promise<void>;
}

/**
 * Keeps Redis holding every revocation in force (DESIGN.md "Revocation": Redis restarted empty must forget
 * nothing). Every second it checks the complete-set marker; when the marker is gone (Redis flushed or
 * restarted empty), when a broadcast failed, when the last attempt failed, or every `resyncIntervalMs`
 * regardless (a crash between the PostgreSQL commit and the publish leaves no other trace), it copies every
 * record in force from PostgreSQL with seedRevocations, which publishes what Redis lacked to running mirrors
 * and sets the marker again. Idempotent, so every auth-server instance runs one.
 *
 * @example
 * const reseeder = createRevocationReseeder({ redis, prisma, layout, logger, resyncIntervalMs: 60_000 });
 * await reseeder.start();
 */
export function createRevocationReseeder(options: RevocationReseederOptions): RevocationReseeder {
  const { redis, prisma, layout, logger } = options;
  const resyncIntervalMs = positiveInteger('resyncIntervalMs', options.resyncIntervalMs);
  const checkIntervalMs = positiveInteger('checkIntervalMs', options.checkIntervalMs ?? 1000);
  const startTimeoutMs = positiveInteger('startTimeoutMs', options.startTimeoutMs ?? 3000);

  /** A broadcast failed, or the last reseed did: Redis may lack a record. */
  let dirty = false;
  let lastSeededAt: number | undefined;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<ReseedOutcome> | undefined;

  async function reasonToReseed(at: number): Promise<ReseedReason | undefined> {
    if (lastSeededAt === undefined) return 'start';
    if (dirty) return failing ? 'retry' : 'missed-broadcast';
    if (at - lastSeededAt >= resyncIntervalMs) return 'periodic';
    if (!(await revocationsAreComplete(redis, layout.keyPrefix))) return 'marker-missing';
    return undefined;
  }

  async function runCheck(): Promise<ReseedOutcome> {
    // Disconnected: nothing can be written, and a dirty flag or missing marker waits for the reconnect.
    if (redis.status !== 'ready') return { action: 'unreachable' };
    const at = Date.now();
    let reason: ReseedReason = 'retry';
    try {
      const found = await reasonToReseed(at);
      if (found === undefined) return { action: 'in-sync' };
      reason = found;
      // Cleared before reading PostgreSQL: a broadcast failing from here on marks it again, and its record
      // (committed before it broadcast) is either in this read or reseeded by the next check.
      dirty = false;
      const records = await listActiveRevocations(prisma, new Date(at));
      const { written, published } = await seedRevocations(redis, records.map(toRevocationEntry), layout);
      lastSeededAt = at;
      // Info only when Redis had lost something; the routine resync every minute stays at debug.
      const restored = reason === 'marker-missing' || published > 0;
      logger[restored ? 'info' : 'debug'](
        { reason, written, published },
        restored
          ? 'revocations restored to Redis from PostgreSQL'
          : 'revocations in Redis checked against PostgreSQL',
      );
      failing = false;
      return { action: 'reseeded', reason, written, published };
    } catch (error) {
      dirty = true;
      const message = error instanceof Error ? error.message : String(error);
      // Once per failing streak: the timer retries every second.
      if (!failing) logger.warn({ reason, error: message }, 'revocation reseed failed; retrying');
      failing = true;
      return { action: 'failed', reason, error: message };
    }
  }

  function check(): Promise<ReseedOutcome> {
    inFlight ??= runCheck().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    markDirty() {
      dirty = true;
    },
    check,
    async start() {
      if (timer) return;
      // A lazy client must be told to connect once; after that ioredis reconnects on its own, and a failed
      // attempt reaches the client's 'error' listener.
      if (redis.status === 'wait') redis.connect().catch(() => undefined);
      timer = setInterval(() => void check(), checkIntervalMs);
      timer.unref();
      const first = (async () => (await whenConnected(redis, startTimeoutMs)) && check())();
      const outcome = await within(first, startTimeoutMs);
      if (outcome === undefined || outcome === false || outcome.action !== 'reseeded') {
        logger.warn(
          'revocations not yet copied to Redis (unreachable?): resource servers get them once it answers',
        );
      }
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

/** True once the client is ready, false on its first connection error or after `timeoutMs`. */
function whenConnected(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (connected: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(connected);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** The promise's value, or undefined if it takes longer than `ms` (it keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createRevocationReseeder: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
