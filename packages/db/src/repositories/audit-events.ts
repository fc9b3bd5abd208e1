import type { Prisma, PrismaClient } from '../generated/client.js';

export interface AuditEventInput {
  type: string;
  actor?: string | undefined;
  subject?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  /** Non-secret context only: never a token, secret or password. */
  details?: Record<string, unknown> | undefined;
}

export async function recordAuditEvent(prisma: PrismaClient, event: AuditEventInput): Promise<void> {
  await prisma.auditEvent.create({
    data: {
      type: event.type,
      actor: event.actor ?? null,
      subject: event.subject ?? null,
      clientId: event.clientId ?? null,
      ip: event.ip ?? null,
      ...(event.details ? { details: event.details as Prisma.InputJsonValue } : {}),
    },
  });
}
