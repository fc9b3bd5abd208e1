import {
  type AuditEventInput,
  type PrismaClient,
  pingDatabase,
  recordAuditEvent,
  recordAuditEvents,
} from '@portcullis/db';
import type { Logger } from '../logger.js';

export type RecordAuditEvent = (event: AuditEventInput) => void;
/** Resolves once the event is durable; rejects (after logging) when it could not be written. */
export type WriteAuditEvent = (event: AuditEventInput) => Promise<void>;

export interface AuditRecorder {
  /**
   * Buffers the event and returns at once; it is written with others in one INSERT within `intervalMs`.
   * Never pass a token, secret or password in an event.
   */
  record: RecordAuditEvent;
  /**
   * Writes now and resolves once durable: admin changes answer success only after their audit row exists.
   * A failed write is logged and rejects, so the request answers 500 (the change itself has been made).
   */
  write: WriteAuditEvent;
  /**
   * Writes the buffered events and waits for every write under way: shutdown calls it so a clean stop loses
   * no event. With PostgreSQL down it makes one attempt and resolves (what could not be written is logged).
   */
  flush(): Promise<void>;
  /** Flushes, then stops: no retry timer is left, and events recorded after it are dropped. */
  close(): Promise<void>;
}

export interface AuditBatching {
  /** Longest an event waits in the buffer before its batch is written. Default 100. */
  intervalMs?: number;
  /** Events per INSERT; a full batch is written at once. Default 500. */
  maxBatch?: number;
  /** Events held while PostgreSQL does not take them; more are dropped (and counted). Default 20000. */
  maxBuffered?: number;
}

export interface AuditRecorderOptions {
  /** Told every event as it is recorded (before it is durable), e.g. to count login failures; must not throw. */
  onEvent?: (event: AuditEventInput) => void;
  /** Told how many recorded events were dropped because the buffer was full; for a metric. */
  onDropped?: (count: number) => void;
  batching?: AuditBatching;
}

/** One "dropped" error line at most this often: a PostgreSQL outage under load must not flood the log. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Two ways to write the same log. `write` is for admin changes, which answer success only once their event
 * is durable. `record` keeps audit writes off the token request's critical path: events go into a bounded
 * buffer written with one INSERT every `intervalMs` (or as soon as `maxBatch` are waiting). One Prisma
 * INSERT per token cost 1-1.5 ms of CPU, more than all the rest of a token request now (issue 7).
 *
 * The trade: a crash (kill -9, power loss) loses the `record`ed events of at most the last `intervalMs`,
 * plus, while PostgreSQL is failing, those still buffered for a retry. A clean stop loses none (flush). A
 * failed write is logged and its events are retried at the next interval; while PostgreSQL stays down the
 * buffer fills to `maxBuffered` and further events are dropped, counted (`onDropped`) and logged at most
 * once per 10 s — never a blocked or failed token request, never unbounded memory.
 */
export function createAuditRecorder(
  prisma: PrismaClient,
  logger: Logger,
  { onEvent, onDropped, batching = {} }: AuditRecorderOptions = {},
): AuditRecorder {
  const intervalMs = positive('intervalMs', batching.intervalMs ?? 100);
  const maxBatch = positive('maxBatch', batching.maxBatch ?? 500);
  const maxBuffered = positive('maxBuffered', batching.maxBuffered ?? 20_000);
  if (maxBuffered < maxBatch) throw new TypeError('createAuditRecorder: maxBuffered must be >= maxBatch');

  const pendingWrites = new Set<Promise<void>>();
  let buffer: AuditEventInput[] = [];
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  let closed = false;
  let droppedSinceLog = 0;
  let lastDropLogAt = Number.NEGATIVE_INFINITY;

  const notify = (event: AuditEventInput) => {
    try {
      onEvent?.(event);
    } catch {
      // A failing metrics hook must not lose the audit event.
    }
  };
  const drop = (count: number) => {
    if (count <= 0) return;
    try {
      onDropped?.(count);
    } catch {
      // Counting must not turn into a failed request.
    }
    droppedSinceLog += count;
    const now = Date.now();
    if (now - lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    logger.error({ dropped: droppedSinceLog, buffered: buffer.length, maxBuffered }, 'audit events dropped');
    lastDropLogAt = now;
    droppedSinceLog = 0;
  };

  /**
   * After a batch failed: one event at a time, so that a single event PostgreSQL refuses (found in review: a
   * NUL in a text column) is dropped alone instead of failing every later batch and silencing the audit
   * log. An event that fails while PostgreSQL answers a ping is dropped and logged; one that fails while it
   * does not means PostgreSQL is down, and what is left of the batch is returned to be kept.
   */
  const writeOneByOne = async (batch: AuditEventInput[]): Promise<AuditEventInput[]> => {
    for (const [index, event] of batch.entries()) {
      try {
        await recordAuditEvents(prisma, [event]);
      } catch (error) {
        if (!(await pingDatabase(prisma))) return batch.slice(index);
        logger.error({ err: error, auditType: event.type }, 'audit event refused by PostgreSQL; dropped');
        drop(1);
      }
    }
    return [];
  };

  /**
   * Writes what is buffered now (and more while full batches wait), one batch at a time; `all` writes until
   * the buffer is empty. A failed batch is retried event by event (writeOneByOne); what PostgreSQL being
   * down left unwritten goes back in front, oldest first, as far as the bound allows, and the next interval
   * tries again.
   */
  const drainOnce = async (all: boolean): Promise<void> => {
    let due = buffer.length;
    while (buffer.length > 0 && (all || due > 0 || buffer.length >= maxBatch)) {
      const batch = buffer.slice(0, maxBatch);
      buffer = buffer.slice(batch.length);
      due -= batch.length;
      try {
        await recordAuditEvents(prisma, batch);
      } catch (error) {
        const unwritten = await writeOneByOne(batch);
        if (unwritten.length === 0) continue;
        logger.error({ err: error, events: unwritten.length }, 'audit events could not be written; retrying');
        const kept = [...unwritten, ...buffer];
        drop(kept.length - maxBuffered);
        buffer = kept.slice(0, maxBuffered);
        break;
      }
    }
  };
  const drain = (all: boolean): Promise<void> => {
    draining ??= drainOnce(all).finally(() => {
      draining = undefined;
      if (!closed) schedule();
    });
    return draining;
  };
  function schedule(): void {
    if (timer !== undefined || buffer.length === 0 || draining !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain(false);
    }, intervalMs);
    timer.unref();
  }
  const stopTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const write = (event: AuditEventInput): Promise<void> => {
    notify(event);
    const written = recordAuditEvent(prisma, event).catch((error: unknown) => {
      logger.error({ err: error, auditType: event.type }, 'audit event could not be written');
      throw error;
    });
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    pendingWrites.add(settled);
    void settled.finally(() => pendingWrites.delete(settled));
    return written;
  };

  async function flush(): Promise<void> {
    stopTimer();
    // A batch may be under way: wait for it, then write everything that came in meanwhile.
    while (draining) await draining;
    stopTimer();
    await drain(true);
    await Promise.all(pendingWrites);
  }

  return {
    record(event) {
      notify(event);
      if (closed || buffer.length >= maxBuffered) {
        drop(1);
        return;
      }
      buffer.push({ ...event, occurredAt: event.occurredAt ?? new Date() });
      if (buffer.length >= maxBatch && draining === undefined) {
        stopTimer();
        void drain(false);
      } else schedule();
    },
    write,
    flush,
    async close() {
      closed = true;
      await flush();
      stopTimer();
    },
  };
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`createAuditRecorder: ${name} must be a positive integer`);
  }
  return value;
}
