import Router from '@koa/router';
import {
  type AdminPermission,
  createPermission,
  deletePermission,
  listPermissions,
  type PrismaClient,
} from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import type { AnnounceAuthorizationChange } from '../oidc/authorization-cache-invalidation.js';
import { createAdminAuthorityCheck } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { createPermissionBody, type PermissionView } from './role-schemas.js';

export interface PermissionRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  /** Clears the authorization caches of every auth server once a change is durable, before the answer. */
  announceChange: AnnounceAuthorizationChange;
  maxBodyBytes: number;
}

/**
 * `/permissions`: the catalogue of permission names. Part of the roles resource (`admin:roles:*`): a
 * permission only matters through the roles, users and clients that hold it. Deleting one takes it from
 * all of them (ON DELETE CASCADE); the audit event lists the roles it was taken from. So deleting an
 * `admin:*` permission the caller does not hold is refused (admin-escalation.ts).
 */
export function createPermissionRoutes({
  guard,
  prisma,
  audit,
  announceChange,
  maxBodyBytes,
}: PermissionRoutesDependencies) {
  const router = new Router<GuardState>({ prefix: '/permissions' });
  const canRead = guard.require(adminRequirement('roles', 'read'));
  const canWrite = guard.require(adminRequirement('roles', 'write'));
  router.use(repositoryErrorsAsProblems);
  const authority = createAdminAuthorityCheck({ prisma, audit });

  router.get('/', canRead, async (ctx) => {
    ctx.body = { permissions: (await listPermissions(prisma)).map(presentPermission) };
  });

  router.post('/', canWrite, async (ctx) => {
    const input = validate(createPermissionBody, await readJsonBody(ctx, maxBodyBytes));
    const permission = await createPermission(prisma, input);
    await audit({
      type: 'admin.permission.created',
      ...auditActor(ctx),
      subject: permission.name,
      details: { after: presentPermission(permission) },
    });
    ctx.status = 201;
    ctx.body = presentPermission(permission);
  });

  router.delete('/:name', canWrite, async (ctx) => {
    const name = pathParam(ctx, 'name');
    authority.mayDeletePermission(ctx, name);
    // The repository has no single-permission read; the catalogue is small (tens of names) and this is a
    // rare write, so the list gives the audit trail its `before`.
    const before = (await listPermissions(prisma)).find((permission) => permission.name === name);
    if (!before || !(await deletePermission(prisma, name))) throw permissionNotFound();
    // Taken from every holder: their cached claims (oidc/authorization-cache.ts) go on every instance.
    await announceChange({ kind: 'permission', id: name });
    await audit({
      type: 'admin.permission.deleted',
      ...auditActor(ctx),
      subject: name,
      details: { before: presentPermission(before) },
    });
    ctx.status = 204;
  });

  return router;
}

const permissionNotFound = () =>
  new ProblemError(404, 'Not Found', { detail: 'no permission with this name' });

function presentPermission(permission: AdminPermission): PermissionView {
  return {
    name: permission.name,
    description: permission.description,
    roles: permission.roles,
    createdAt: permission.createdAt.toISOString(),
  };
}
