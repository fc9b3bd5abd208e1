import Router from '@koa/router';
import { listRevocations, type PrismaClient, type RevocationRecord } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { readJsonBody, validate } from '@portcullis/service-kit';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';
import { revokeTokens } from '../revocations/revoke-tokens.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { revocationErrorsAsProblems } from './revocation-problems.js';
import { createRevocationBody, listRevocationsQuery, type RevocationView } from './revocation-schemas.js';

export interface RevocationRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  issuer: string;
  /** The longest access-token lifetime, in seconds: how long a record must outlive its revokedAt. */
  longestTokenLifetimeSeconds: number;
  /** Where a durable revocation is announced (the Redis fast path, once it exists). */
  broadcaster: RevocationBroadcaster;
  maxBodyBytes: number;
}

/**
 * `/revocations`: revoke by token, jti, grant, user, client or signing key, and list what is revoked. The
 * token itself is never stored, echoed or audited: only the jti or grant id it resolves to.
 */
export function createRevocationRoutes(dependencies: RevocationRoutesDependencies): Router<GuardState> {
  const { guard, prisma, audit } = dependencies;
  const router = new Router<GuardState>({ prefix: '/revocations' });
  router.use(repositoryErrorsAsProblems, revocationErrorsAsProblems);

  router.get('/', guard.require(adminRequirement('revocations', 'read')), async (ctx) => {
    const query = validate(listRevocationsQuery, ctx.query);
    const page = await listRevocations(prisma, {
      limit: query.limit,
      after: query.after,
      kind: query.kind,
      activeAt: query.active ? new Date() : undefined,
    });
    ctx.body = { revocations: page.revocations.map(present), nextCursor: page.nextCursor };
  });

  router.post('/', guard.require(adminRequirement('revocations', 'write')), async (ctx) => {
    const request = validate(createRevocationBody, await readJsonBody(ctx, dependencies.maxBodyBytes));
    const actor = auditActor(ctx);
    const { revocation, artifactsDeleted } = await revokeTokens(dependencies, {
      ...request,
      actor: actor.actor,
    });
    await audit({
      type: 'admin.revocation.created',
      ...actor,
      subject: revocation.value,
      details: {
        kind: revocation.kind,
        value: revocation.value,
        reason: revocation.reason,
        artifactsDeleted,
      },
    });
    ctx.status = 201;
    ctx.body = present(revocation);
  });

  return router;
}

function present(revocation: RevocationRecord): RevocationView {
  return {
    id: revocation.id,
    kind: revocation.kind,
    value: revocation.value,
    revokedAt: revocation.revokedAt.toISOString(),
    expiresAt: revocation.expiresAt.toISOString(),
    reason: revocation.reason,
    actor: revocation.actor,
  };
}
