import { type AuditEventInput, type PrismaClient, recordAuditEvent } from '@portcullis/db';
import type { Logger } from '../logger.js';

export type AuditRecorder = (event: AuditEventInput) => void;

/**
 * Audit writes leave the token request's critical path: a failed write is logged, never turned into a
 * failed token request. Never pass a token, secret or password in an event.
 */
export function createAuditRecorder(prisma: PrismaClient, logger: Logger): AuditRecorder {
  return (event) => {
    recordAuditEvent(prisma, event).catch((error: unknown) => {
      logger.error({ err: error, auditType: event.type }, 'audit event could not be written');
    });
  };
}
