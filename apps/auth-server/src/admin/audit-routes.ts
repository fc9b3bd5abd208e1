import Router from '@koa/router';
import { type AuditEventRecord, type PrismaClient, queryAuditEvents } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { validate } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import { type AuditEventView, auditQuery } from './audit-schemas.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';

export interface AuditRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
}

/** `GET /audit`: the audit trail, newest first, filtered by actor, subject, client, type and time range. */
export function createAuditRoutes({ guard, prisma }: AuditRoutesDependencies): Router<GuardState> {
  const router = new Router<GuardState>({ prefix: '/audit' });
  router.use(repositoryErrorsAsProblems);

  router.get('/', guard.require(adminRequirement('audit', 'read')), async (ctx) => {
    const query = validate(auditQuery, ctx.query);
    const page = await queryAuditEvents(prisma, query);
    ctx.body = { events: page.events.map(present), nextCursor: page.nextCursor };
  });

  return router;
}

function present(event: AuditEventRecord): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    actor: event.actor,
    subject: event.subject,
    clientId: event.clientId,
    ip: event.ip,
    details: isRecord(event.details) ? event.details : null,
  };
}

/** Every writer records an object or nothing (AuditEventInput.details); anything else is not shown. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
