import Router from '@koa/router';
import {
  type AdminUser,
  assignUserRoles,
  createUser,
  deleteUser,
  getUser,
  grantUserPermissions,
  listUsers,
  type PrismaClient,
  revokeUserPermission,
  setUserPasswordHash,
  unassignUserRole,
  updateUser,
} from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import {
  createUserBody,
  listUsersQuery,
  permissionsBody,
  rolesBody,
  setPasswordBody,
  type UserView,
  updateUserBody,
} from './user-schemas.js';

export interface UserRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  hasher: PasswordHasher;
  audit: RecordAuditEvent;
  maxBodyBytes: number;
}

/**
 * `/users`: create (with the password policy), read, list with paging and search, update, disable, set
 * password, delete, and role/permission assignment. Every write is audited with who did it and, where it is
 * not secret, the record before and after.
 */
export function createUserRoutes({ guard, prisma, hasher, audit, maxBodyBytes }: UserRoutesDependencies) {
  const router = new Router<GuardState>({ prefix: '/users' });
  const canRead = guard.require(adminRequirement('users', 'read'));
  const canWrite = guard.require(adminRequirement('users', 'write'));
  router.use(repositoryErrorsAsProblems);
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));
  /** The record, or a 404 problem. */
  const found = (user: AdminUser | null): AdminUser => {
    if (!user) throw userNotFound();
    return user;
  };

  router.get('/', canRead, async (ctx) => {
    const query = validate(listUsersQuery, ctx.query);
    const page = await listUsers(prisma, {
      limit: query.limit,
      after: query.after,
      search: query.q,
      disabled: query.disabled,
    });
    ctx.body = { users: page.users.map(present), nextCursor: page.nextCursor };
  });

  router.post('/', canWrite, async (ctx) => {
    const { password, ...input } = await body(ctx, createUserBody);
    const user = await createUser(prisma, { ...input, passwordHash: await hasher.hash(password) });
    audit({
      type: 'admin.user.created',
      ...auditActor(ctx),
      subject: user.id,
      details: { after: present(user) },
    });
    ctx.status = 201;
    ctx.set('Location', `/users/${user.id}`);
    ctx.body = present(user);
  });

  router.get('/:id', canRead, async (ctx) => {
    ctx.body = present(found(await getUser(prisma, pathParam(ctx, 'id'))));
  });

  router.patch('/:id', canWrite, async (ctx) => {
    const changes = await body(ctx, updateUserBody);
    const change = await updateUser(prisma, pathParam(ctx, 'id'), changes);
    if (!change) throw userNotFound();
    const { before, after } = change;
    audit({
      type: after.disabled && !before.disabled ? 'admin.user.disabled' : 'admin.user.updated',
      ...auditActor(ctx),
      subject: after.id,
      details: { before: present(before), after: present(after) },
    });
    ctx.body = present(after);
  });

  router.put('/:id/password', canWrite, async (ctx) => {
    const { password } = await body(ctx, setPasswordBody);
    const user = found(await getUser(prisma, pathParam(ctx, 'id')));
    await setUserPasswordHash(prisma, user.id, await hasher.hash(password));
    audit({ type: 'admin.user.password_set', ...auditActor(ctx), subject: user.id });
    ctx.status = 204;
  });

  router.delete('/:id', canWrite, async (ctx) => {
    const deleted = found(await deleteUser(prisma, pathParam(ctx, 'id')));
    audit({
      type: 'admin.user.deleted',
      ...auditActor(ctx),
      subject: deleted.id,
      details: { before: present(deleted) },
    });
    ctx.status = 204;
  });

  router.post('/:id/roles', canWrite, async (ctx) => {
    const { roles } = await body(ctx, rolesBody);
    const user = found(await assignUserRoles(prisma, pathParam(ctx, 'id'), roles));
    audit({ type: 'admin.user.roles_assigned', ...auditActor(ctx), subject: user.id, details: { roles } });
    ctx.body = present(user);
  });

  router.delete('/:id/roles/:role', canWrite, async (ctx) => {
    const user = found(await unassignUserRole(prisma, pathParam(ctx, 'id'), pathParam(ctx, 'role')));
    audit({
      type: 'admin.user.role_unassigned',
      ...auditActor(ctx),
      subject: user.id,
      details: { role: pathParam(ctx, 'role') },
    });
    ctx.body = present(user);
  });

  router.post('/:id/permissions', canWrite, async (ctx) => {
    const { permissions } = await body(ctx, permissionsBody);
    const user = found(await grantUserPermissions(prisma, pathParam(ctx, 'id'), permissions));
    audit({
      type: 'admin.user.permissions_granted',
      ...auditActor(ctx),
      subject: user.id,
      details: { permissions },
    });
    ctx.body = present(user);
  });

  router.delete('/:id/permissions/:permission', canWrite, async (ctx) => {
    const user = found(
      await revokeUserPermission(prisma, pathParam(ctx, 'id'), pathParam(ctx, 'permission')),
    );
    audit({
      type: 'admin.user.permission_revoked',
      ...auditActor(ctx),
      subject: user.id,
      details: { permission: pathParam(ctx, 'permission') },
    });
    ctx.body = present(user);
  });

  return router;
}

const userNotFound = () => new ProblemError(404, 'Not Found', { detail: 'no user with this id' });

function present(user: AdminUser): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    disabled: user.disabled,
    roles: user.roles,
    permissions: user.permissions,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
