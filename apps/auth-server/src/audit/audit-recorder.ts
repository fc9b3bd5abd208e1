import { type AuditEventInput, type PrismaClient, recordAuditEvent } from '@portcullis/db';
import type { Logger } from '../logger.js';

export type RecordAuditEvent = (event: AuditEventInput) => void;

export interface AuditRecorder {
  /** Queues the write and returns at once. Never pass a token, secret or password in an event. */
  record: RecordAuditEvent;
  /** Resolves once every queued write has settled: shutdown calls it so a clean stop loses no event. */
  flush(): Promise<void>;
}

/**
 * Audit writes leave the token request's critical path: a failed write is logged, never turned into a
 * failed token request.
 */
export function createAuditRecorder(prisma: PrismaClient, logger: Logger): AuditRecorder {
  const pending = new Set<Promise<void>>();
  return {
    record(event) {
      const write = recordAuditEvent(prisma, event)
        .catch((error: unknown) => {
          logger.error({ err: error, auditType: event.type }, 'audit event could not be written');
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all(pending);
    },
  };
}
