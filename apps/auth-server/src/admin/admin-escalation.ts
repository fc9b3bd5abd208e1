import {
  getClientAuthorizations,
  getRole,
  getUserAuthorizations,
  isUuid,
  type PrismaClient,
} from '@portcullis/db';
import type { GuardState } from '@portcullis/guard/koa';
import { ProblemError } from '@portcullis/service-kit';
import type { Context } from 'koa';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { isAdminPermission } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';

/**
 * **An admin can neither grant nor take over admin authority it does not hold itself.**
 *
 * Without this, `admin:clients:write` alone makes a full admin (create a client with every `admin:*`
 * permission, or rotate the secret of one that has them), and so do `admin:roles:write` (add `admin:*`
 * to a role the caller holds) and `admin:users:write` (set the password of a more powerful user).
 *
 * With P the caller's token permissions and A(x) the `admin:*` part of x, a write is refused with 403 when
 * - it gives a user, client or role permissions, directly or through roles (resolved to what they carry),
 *   and A(given) ⊄ P;
 * - it acts on a user, client or role (update, disable, delete, set password, rotate secret, unassign,
 *   revoke) whose current effective A ⊄ P — even a write that takes power away: a lesser admin must not
 *   lock out or demote a greater one;
 * - it deletes an `admin:*` permission not in P (that takes it from everyone who holds it).
 * Permissions outside `admin:*` are not restricted: an admin of users may hand out `items:delete`.
 *
 * P is what the token carries, computed when it was issued (DESIGN "Authorization model"), exactly as the
 * guard's own route check uses it. An admin whose authority was cut keeps its old P until the token
 * expires (access-token lifetime) or is revoked — the admin guard checks revocations on every request, so
 * revoking the user's or client's tokens ends it at once; a promoted admin needs a new token.
 *
 * The check reads, then the route writes: a more powerful admin granting the target more authority in
 * between can slip through. That race needs the cooperation of someone who already holds that authority.
 */

export type PrincipalKind = 'user' | 'client' | 'role';

/** What a write would give: permissions directly and role names (resolved to their permissions here). */
export interface AuthorityGiven {
  roles?: readonly string[] | undefined;
  permissions?: readonly string[] | undefined;
}

/**
 * The `admin:*` permissions in `wanted` that `held` does not contain, distinct and sorted.
 *
 * @example
 * adminPermissionsMissing(['admin:users:write'], ['items:read', 'admin:keys:write'])
 * // → ['admin:keys:write']
 */
export function adminPermissionsMissing(held: readonly string[], wanted: Iterable<string>): string[] {
  const holds = new Set(held);
  const missing = new Set<string>();
  for (const permission of wanted) {
    if (isAdminPermission(permission) && !holds.has(permission)) missing.add(permission);
  }
  return [...missing].sort();
}

/** The permissions these roles carry; unknown names carry nothing (the write that names them answers 404). */
async function permissionsOfRoles(prisma: PrismaClient, names: readonly string[]): Promise<string[]> {
  const roles = await Promise.all([...new Set(names)].map((name) => getRole(prisma, name)));
  return roles.flatMap((role) => role?.permissions ?? []);
}

/** A user's or client's direct and role-derived permissions, or a role's; none for an unknown target. */
async function currentPermissionsOf(
  prisma: PrismaClient,
  kind: PrincipalKind,
  id: string,
): Promise<string[]> {
  if (kind === 'user') return isUuid(id) ? (await getUserAuthorizations(prisma, id)).permissions : [];
  if (kind === 'client') return (await getClientAuthorizations(prisma, id)).permissions;
  return (await getRole(prisma, id))?.permissions ?? [];
}

/** A request on the admin listener, past the guard. */
export type AdminContext = Context & { state: GuardState };

/**
 * The checks as the admin routes call them, before they write. Each throws a 403 problem+json naming the
 * missing permissions, and records `admin.escalation_refused` (who tried, on what, what was missing) so an
 * attempt shows in the audit log even though nothing changed.
 *
 * @example
 * const authority = createAdminAuthorityCheck({ prisma, audit });
 * await authority.mayGrant(ctx, 'user', input.username, { roles: input.roles });
 * await authority.mayActOn(ctx, 'client', pathParam(ctx, 'id'));
 */
export function createAdminAuthorityCheck({
  prisma,
  audit,
}: {
  prisma: PrismaClient;
  audit: WriteAuditEvent;
}) {
  const refuse = (
    ctx: AdminContext,
    kind: PrincipalKind | 'permission',
    subject: string,
    missing: string[],
    detail: string,
  ) => {
    // A refusal changes nothing, so its audit row is best effort (a failed write is logged by the recorder).
    audit({
      type: 'admin.escalation_refused',
      ...auditActor(ctx),
      subject,
      details: { kind, method: ctx.method, path: ctx.path, missing },
    }).catch(() => undefined);
    throw new ProblemError(403, 'Forbidden', { detail: `${detail}: ${missing.join(', ')}`, missing });
  };

  return {
    /** 403 unless the caller holds every `admin:*` permission the write would give `subject`. */
    async mayGrant(ctx: AdminContext, kind: PrincipalKind, subject: string, given: AuthorityGiven) {
      const wanted = [...(given.permissions ?? []), ...(await permissionsOfRoles(prisma, given.roles ?? []))];
      const missing = adminPermissionsMissing(ctx.state.principal.permissions, wanted);
      if (missing.length > 0) {
        refuse(ctx, kind, subject, missing, 'you cannot grant admin permissions you do not hold');
      }
    },

    /** 403 when the user, client or role currently holds an `admin:*` permission the caller does not. */
    async mayActOn(ctx: AdminContext, kind: PrincipalKind, id: string) {
      const current = await currentPermissionsOf(prisma, kind, id);
      const missing = adminPermissionsMissing(ctx.state.principal.permissions, current);
      if (missing.length > 0)
        refuse(ctx, kind, id, missing, `this ${kind} holds admin permissions you do not`);
    },

    /** 403 when deleting an `admin:*` permission the caller does not hold: everyone would lose it. */
    mayDeletePermission(ctx: AdminContext, name: string) {
      const missing = adminPermissionsMissing(ctx.state.principal.permissions, [name]);
      if (missing.length > 0) {
        refuse(ctx, 'permission', name, missing, 'you cannot delete admin permissions you do not hold');
      }
    },
  };
}

/** The rule as the OpenAPI descriptions of the guarded routes state it (`*-operations.ts`). */
export const REFUSES_GRANTING =
  'Answers 403 when it would give admin permissions (directly or through roles) the caller does not hold.';
export const refusesActingOn = (kind: PrincipalKind) =>
  `Answers 403 when the ${kind} holds admin permissions the caller does not.`;
