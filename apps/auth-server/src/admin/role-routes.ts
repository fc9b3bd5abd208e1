import Router from '@koa/router';
import {
  type AdminRole,
  createRole,
  deleteRole,
  getRole,
  listRoles,
  type PrismaClient,
  updateRole,
} from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import type { AnnounceAuthorizationChange } from '../oidc/authorization-cache-invalidation.js';
import { createAdminAuthorityCheck } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { createRoleBody, type RoleView, updateRoleBody } from './role-schemas.js';

export interface RoleRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  /** Clears the authorization caches of every auth server once a change is durable, before the answer. */
  announceChange: AnnounceAuthorizationChange;
  maxBodyBytes: number;
}

/**
 * `/roles`: named bundles of permissions. Permissions named in a body that do not exist yet are created
 * (as the repository does for users and clients), so a role can be defined in one request. Every write is
 * audited with who did it and the role before and after. A role passes its permissions to everyone who holds
 * it, so no write may give it, or change or delete one carrying, admin permissions the caller does not hold
 * (admin-escalation.ts).
 */
export function createRoleRoutes({
  guard,
  prisma,
  audit,
  announceChange,
  maxBodyBytes,
}: RoleRoutesDependencies) {
  /** A role reaches the cached claims of everyone holding it (oidc/authorization-cache.ts). */
  const changed = (name: string) => announceChange({ kind: 'role', id: name });
  const router = new Router<GuardState>({ prefix: '/roles' });
  const canRead = guard.require(adminRequirement('roles', 'read'));
  const canWrite = guard.require(adminRequirement('roles', 'write'));
  router.use(repositoryErrorsAsProblems);
  const authority = createAdminAuthorityCheck({ prisma, audit });
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));

  router.get('/', canRead, async (ctx) => {
    ctx.body = { roles: (await listRoles(prisma)).map(presentRole) };
  });

  router.post('/', canWrite, async (ctx) => {
    const input = await body(ctx, createRoleBody);
    await authority.mayGrant(ctx, 'role', input.name, input);
    const role = await createRole(prisma, { ...input, permissions: input.permissions ?? [] });
    await changed(role.name);
    await audit({
      type: 'admin.role.created',
      ...auditActor(ctx),
      subject: role.name,
      details: { after: presentRole(role) },
    });
    ctx.status = 201;
    ctx.set('Location', `/roles/${encodeURIComponent(role.name)}`);
    ctx.body = presentRole(role);
  });

  router.get('/:name', canRead, async (ctx) => {
    const role = await getRole(prisma, pathParam(ctx, 'name'));
    if (!role) throw roleNotFound();
    ctx.body = presentRole(role);
  });

  router.patch('/:name', canWrite, async (ctx) => {
    const changes = await body(ctx, updateRoleBody);
    await authority.mayActOn(ctx, 'role', pathParam(ctx, 'name'));
    await authority.mayGrant(ctx, 'role', pathParam(ctx, 'name'), changes);
    const change = await updateRole(prisma, pathParam(ctx, 'name'), changes);
    if (!change) throw roleNotFound();
    await changed(change.after.name);
    const before = presentRole(change.before);
    const after = presentRole(change.after);
    await audit({
      type: 'admin.role.updated',
      ...auditActor(ctx),
      subject: after.name,
      details: { before, after },
    });
    ctx.body = after;
  });

  router.delete('/:name', canWrite, async (ctx) => {
    await authority.mayActOn(ctx, 'role', pathParam(ctx, 'name'));
    const deleted = await deleteRole(prisma, pathParam(ctx, 'name'));
    if (!deleted) throw roleNotFound();
    await changed(deleted.name);
    await audit({
      type: 'admin.role.deleted',
      ...auditActor(ctx),
      subject: deleted.name,
      details: { before: presentRole(deleted) },
    });
    ctx.status = 204;
  });

  return router;
}

const roleNotFound = () => new ProblemError(404, 'Not Found', { detail: 'no role with this name' });

function presentRole(role: AdminRole): RoleView {
  return {
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    createdAt: role.createdAt.toISOString(),
  };
}
