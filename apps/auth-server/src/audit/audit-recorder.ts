import { type AuditEventInput, type PrismaClient, recordAuditEvent } from '@portcullis/db';
import type { Logger } from '../logger.js';

export type RecordAuditEvent = (event: AuditEventInput) => void;
/** Resolves once the event is durable; rejects (after logging) when it could not be written. */
export type WriteAuditEvent = (event: AuditEventInput) => Promise<void>;

export interface AuditRecorder {
  /** Queues the write and returns at once. Never pass a token, secret or password in an event. */
  record: RecordAuditEvent;
  /**
   * Writes now and resolves once durable: admin changes answer success only after their audit row exists.
   * A failed write is logged and rejects, so the request answers 500 (the change itself has been made).
   */
  write: WriteAuditEvent;
  /** Resolves once every queued write has settled: shutdown calls it so a clean stop loses no event. */
  flush(): Promise<void>;
}

export interface AuditRecorderOptions {
  /** Told every event as it is recorded (before it is durable), e.g. to count login failures; must not throw. */
  onEvent?: (event: AuditEventInput) => void;
}

/**
 * Two ways to write the same log. `record` keeps audit writes off the token request's critical path: a
 * failed write is logged, never turned into a failed token request. `write` is for admin changes, which
 * answer success only once their event is durable.
 */
export function createAuditRecorder(
  prisma: PrismaClient,
  logger: Logger,
  { onEvent }: AuditRecorderOptions = {},
): AuditRecorder {
  const pending = new Set<Promise<void>>();
  const track = (event: AuditEventInput): Promise<void> => {
    try {
      onEvent?.(event);
    } catch {
      // A failing metrics hook must not lose the audit event.
    }
    const write = recordAuditEvent(prisma, event).catch((error: unknown) => {
      logger.error({ err: error, auditType: event.type }, 'audit event could not be written');
      throw error;
    });
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return write;
  };
  return {
    record(event) {
      track(event).catch(() => undefined); // logged in track(); never fails the token request
    },
    write: track,
    async flush() {
      await Promise.all(pending);
    },
  };
}
