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
import type { Context, Next } from 'koa';
import type { ZodType } from 'zod';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { PasswordHashingBusyError } from '../credentials/password-hashing-busy-error.js';
import type { AnnounceAuthorizationChange } from '../oidc/authorization-cache-invalidation.js';
import { revokeSubjectTokens } from '../revocations/revoke-subject-tokens.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import { createAdminAuthorityCheck } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { revocationErrorsAsProblems } from './revocation-problems.js';
import {
  contextPasswordIssues,
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
  audit: WriteAuditEvent;
  /** Disabling or deleting a user revokes the tokens already issued to it (revokeTokens). */
  revocation: RevokeTokensDependencies;
  /** Clears the authorization caches of every auth server once a change is durable, before the answer. */
  announceChange: AnnounceAuthorizationChange;
  maxBodyBytes: number;
}

/**
 * `/users`: create (with the password policy), read, list with paging and search, update, disable, set
 * password, delete, and role/permission assignment. Every write is audited with who did it and, where it is
 * not secret, the record before and after. No write grants or takes over admin authority the caller does not
 * hold (admin-escalation.ts). Disabling or deleting a user also revokes every token issued to it until then,
 * so resource servers refuse them at once rather than when they expire.
 */
export function createUserRoutes(dependencies: UserRoutesDependencies) {
  const { guard, prisma, hasher, audit, announceChange, maxBodyBytes } = dependencies;
  /** Token claims carry the user's roles and permissions through a cache (oidc/authorization-cache.ts). */
  const changed = (id: string) => announceChange({ kind: 'user', id });
  const router = new Router<GuardState>({ prefix: '/users' });
  const canRead = guard.require(adminRequirement('users', 'read'));
  const canWrite = guard.require(adminRequirement('users', 'write'));
  router.use(repositoryErrorsAsProblems, revocationErrorsAsProblems, hashingBusyAsProblem);
  const authority = createAdminAuthorityCheck({ prisma, audit });
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));
  /** The record, or a 404 problem. */
  const found = (user: AdminUser | null): AdminUser => {
    if (!user) throw userNotFound();
    return user;
  };
  /** found(), after announcing the change of a user that exists. */
  const foundChanged = async (user: AdminUser | null): Promise<AdminUser> => {
    if (user) await changed(user.id);
    return found(user);
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
    await authority.mayGrant(ctx, 'user', input.username, input);
    const user = await createUser(prisma, { ...input, passwordHash: await hasher.hash(password) });
    await changed(user.id);
    await audit({
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
    await authority.mayActOn(ctx, 'user', pathParam(ctx, 'id'));
    const change = await updateUser(prisma, pathParam(ctx, 'id'), changes);
    if (!change) throw userNotFound();
    const { before, after } = change;
    // Before the revocation below: no instance may issue from the old record after its cut-off.
    await changed(after.id);
    await audit({
      type: after.disabled && !before.disabled ? 'admin.user.disabled' : 'admin.user.updated',
      ...auditActor(ctx),
      subject: after.id,
      details: { before: present(before), after: present(after) },
    });
    // After the disable committed, so no token can be issued after the revocation's cut-off; a repeated
    // disable revokes again, which is harmless and lets a retry after a failed revocation converge.
    if (changes.disabled === true) {
      await revokeSubjectTokens(
        dependencies,
        { kind: 'user', value: after.id, reason: 'user disabled' },
        auditActor(ctx),
      );
    }
    ctx.body = present(after);
  });

  router.put('/:id/password', canWrite, async (ctx) => {
    const { password } = await body(ctx, setPasswordBody);
    await authority.mayActOn(ctx, 'user', pathParam(ctx, 'id'));
    const user = found(await getUser(prisma, pathParam(ctx, 'id')));
    // The body names no user, so the context-specific rules can only be checked against the record.
    const issues = contextPasswordIssues(password, user);
    if (issues.length > 0) {
      throw new ProblemError(400, 'Bad Request', {
        detail: 'the request is invalid',
        errors: issues.map((message) => ({ path: 'password', message })),
      });
    }
    await setUserPasswordHash(prisma, user.id, await hasher.hash(password));
    await audit({ type: 'admin.user.password_set', ...auditActor(ctx), subject: user.id });
    ctx.status = 204;
  });

  router.delete('/:id', canWrite, async (ctx) => {
    const id = pathParam(ctx, 'id');
    await authority.mayActOn(ctx, 'user', id);
    found(await getUser(prisma, id));
    // Before the deletion: a revocation names an existing user. A failed deletion leaves a harmless record.
    await revokeSubjectTokens(
      dependencies,
      { kind: 'user', value: id, reason: 'user deleted' },
      auditActor(ctx),
    );
    const deleted = await foundChanged(await deleteUser(prisma, id));
    await audit({
      type: 'admin.user.deleted',
      ...auditActor(ctx),
      subject: deleted.id,
      details: { before: present(deleted) },
    });
    ctx.status = 204;
  });

  router.post('/:id/roles', canWrite, async (ctx) => {
    const { roles } = await body(ctx, rolesBody);
    await authority.mayGrant(ctx, 'user', pathParam(ctx, 'id'), { roles });
    const user = await foundChanged(await assignUserRoles(prisma, pathParam(ctx, 'id'), roles));
    await audit({
      type: 'admin.user.roles_assigned',
      ...auditActor(ctx),
      subject: user.id,
      details: { roles },
    });
    ctx.body = present(user);
  });

  router.delete('/:id/roles/:role', canWrite, async (ctx) => {
    await authority.mayActOn(ctx, 'user', pathParam(ctx, 'id'));
    const user = await foundChanged(
      await unassignUserRole(prisma, pathParam(ctx, 'id'), pathParam(ctx, 'role')),
    );
    await audit({
      type: 'admin.user.role_unassigned',
      ...auditActor(ctx),
      subject: user.id,
      details: { role: pathParam(ctx, 'role') },
    });
    ctx.body = present(user);
  });

  router.post('/:id/permissions', canWrite, async (ctx) => {
    const { permissions } = await body(ctx, permissionsBody);
    await authority.mayGrant(ctx, 'user', pathParam(ctx, 'id'), { permissions });
    const user = await foundChanged(await grantUserPermissions(prisma, pathParam(ctx, 'id'), permissions));
    await audit({
      type: 'admin.user.permissions_granted',
      ...auditActor(ctx),
      subject: user.id,
      details: { permissions },
    });
    ctx.body = present(user);
  });

  router.delete('/:id/permissions/:permission', canWrite, async (ctx) => {
    await authority.mayActOn(ctx, 'user', pathParam(ctx, 'id'));
    const user = await foundChanged(
      await revokeUserPermission(prisma, pathParam(ctx, 'id'), pathParam(ctx, 'permission')),
    );
    await audit({
      type: 'admin.user.permission_revoked',
      ...auditActor(ctx),
      subject: user.id,
      details: { permission: pathParam(ctx, 'permission') },
    });
    ctx.body = present(user);
  });

  return router;
}

/**
 * Password hashing is saturated (limitHashConcurrency): 503 with Retry-After (RFC 9110 §15.6.4), nothing
 * written — the hash is computed before the user is created or changed.
 */
async function hashingBusyAsProblem(_ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof PasswordHashingBusyError)) throw error;
    throw new ProblemError(
      503,
      'Service Unavailable',
      { detail: 'password hashing is busy; retry later' },
      { 'Retry-After': String(error.retryAfterSeconds) },
    );
  }
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
