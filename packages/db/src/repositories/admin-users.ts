import { Prisma, type PrismaClient } from '../generated/client.js';
import { AdminConflictError, AdminNotFoundError } from './admin-errors.js';
import { decodeKeysetCursor, encodeKeysetCursor, escapeLike } from './keyset-cursor.js';
import { isUuid, normalizeUsername } from './users.js';

/**
 * The admin API's view of accounts (Keycloak's `/admin/realms/{realm}/users`): plain records, never the
 * password hash. Every multi-step write runs in one transaction, so a failure leaves nothing half-written.
 */

/** A user as the admin API shows it. */
export interface AdminUser {
  id: string;
  /** Lower-cased login name. */
  username: string;
  email: string | null;
  disabled: boolean;
  /** Role names, sorted. */
  roles: string[];
  /** Directly granted permission names, sorted; role-derived ones are not listed. */
  permissions: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface AdminUserListQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  /** Case-insensitive substring of the username or email, matched literally (`%` and `_` are not wildcards). */
  search?: string | undefined;
  /** Only disabled (true) or only enabled (false) accounts. */
  disabled?: boolean | undefined;
}

export interface AdminUserPage {
  users: AdminUser[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface NewAdminUser {
  /** Normalized (trimmed, lower-cased) before it is stored. */
  username: string;
  email?: string | null | undefined;
  /** argon2id PHC string; hashing is the caller's job. */
  passwordHash: string;
  disabled?: boolean | undefined;
  /** Names of existing roles. */
  roles?: string[] | undefined;
  /** Permission names; created when they do not exist yet. */
  permissions?: string[] | undefined;
}

export interface AdminUserChanges {
  /** null removes the email. */
  email?: string | null | undefined;
  disabled?: boolean | undefined;
}

/** The record before and after a change, for the audit log. */
export interface AdminChange<T> {
  before: T;
  after: T;
}

/** @internal An interactive transaction's client. */
export type AdminTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

const userFields = {
  id: true,
  username: true,
  email: true,
  disabled: true,
  createdAt: true,
  updatedAt: true,
  roles: { select: { role: { select: { name: true } } } },
  permissions: { select: { permission: { select: { name: true } } } },
} as const satisfies Prisma.UserSelect;

type UserRow = Prisma.UserGetPayload<{ select: typeof userFields }>;

function toAdminUser(row: UserRow): AdminUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    disabled: row.disabled,
    roles: row.roles.map((link) => link.role.name).sort(),
    permissions: row.permissions.map((link) => link.permission.name).sort(),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Keyset pagination in (createdAt, id) order, oldest first, with the same opaque cursor as `listItems`.
 *
 * @example
 * const first = await listUsers(prisma, { limit: 20, search: 'example.com' });
 * const next = await listUsers(prisma, { limit: 20, search: 'example.com', after: first.nextCursor ?? undefined });
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function listUsers(prisma: PrismaClient, query: AdminUserListQuery): Promise<AdminUserPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`listUsers: limit must be a positive integer, got ${query.limit}`);
  }
  const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
  const and: Prisma.UserWhereInput[] = [];
  if (query.search) {
    const contains = { contains: escapeLike(query.search), mode: 'insensitive' } as const;
    and.push({ OR: [{ username: contains }, { email: contains }] });
  }
  if (cursor) {
    // (createdAt, id) > cursor, with a leading `createdAt >=` so an index on (createdAt, id) bounds the scan.
    and.push({
      createdAt: { gte: cursor.createdAt },
      OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }],
    });
  }
  const rows = await prisma.user.findMany({
    where: { ...(query.disabled !== undefined ? { disabled: query.disabled } : {}), AND: and },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
    select: userFields,
  });
  const users = rows.slice(0, query.limit).map(toAdminUser);
  const last = users.at(-1);
  return { users, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/**
 * The user, or null: an id that is not a uuid finds nothing instead of making PostgreSQL raise.
 *
 * @example
 * const user = await getUser(prisma, ctx.params.id);
 */
export async function getUser(prisma: PrismaClient, id: string): Promise<AdminUser | null> {
  if (!isUuid(id)) return null;
  const row = await prisma.user.findUnique({ where: { id }, select: userFields });
  return row ? toAdminUser(row) : null;
}

/**
 * Creates the user with its roles and direct permissions in one transaction.
 *
 * @example
 * const user = await createUser(prisma, { username: 'Alice', passwordHash, roles: ['editor'] });
 * @throws {AdminConflictError} when the username or email is taken.
 * @throws {AdminNotFoundError} when a role does not exist; nothing is written.
 */
export async function createUser(prisma: PrismaClient, input: NewAdminUser): Promise<AdminUser> {
  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          username: normalizeUsername(input.username),
          email: input.email ?? null,
          passwordHash: input.passwordHash,
          disabled: input.disabled ?? false,
        },
        select: { id: true },
      });
      const permissionIds = await ensurePermissionIds(tx, input.permissions ?? []);
      const roleIds = await resolveRoleIds(tx, input.roles ?? []);
      await tx.userRole.createMany({ data: roleIds.map((roleId) => ({ userId: user.id, roleId })) });
      await tx.userPermission.createMany({
        data: permissionIds.map((permissionId) => ({ userId: user.id, permissionId })),
      });
      return readUser(tx, user.id);
    });
  } catch (error) {
    throw asConflict(error, 'user');
  }
}

/**
 * Changes email and/or the disabled flag. The row is locked while it is read and written, so `before` is
 * exactly what the change replaced. With no changes nothing is written and `before` equals `after`.
 *
 * @example
 * const change = await updateUser(prisma, id, { disabled: true });
 * if (change) await recordAuditEvent(prisma, { type: 'admin.user.updated', details: change });
 * @throws {AdminConflictError} when the new email belongs to another user.
 */
export async function updateUser(
  prisma: PrismaClient,
  id: string,
  changes: AdminUserChanges,
): Promise<AdminChange<AdminUser> | null> {
  if (!isUuid(id)) return null;
  const data = {
    ...(changes.email !== undefined ? { email: changes.email } : {}),
    ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
  };
  try {
    return await prisma.$transaction(async (tx) => {
      if (!(await lockUser(tx, id))) return null;
      const before = await readUser(tx, id);
      if (Object.keys(data).length === 0) return { before, after: before };
      await tx.user.update({ where: { id }, data, select: { id: true } });
      return { before, after: await readUser(tx, id) };
    });
  } catch (error) {
    throw asConflict(error, 'user');
  }
}

/**
 * Replaces the password hash (an admin reset); false when the user does not exist.
 *
 * @example
 * if (!(await setUserPasswordHash(prisma, id, await hashPassword(body.password)))) throw new NotFound();
 */
export async function setUserPasswordHash(
  prisma: PrismaClient,
  id: string,
  passwordHash: string,
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { count } = await prisma.user.updateMany({ where: { id }, data: { passwordHash } });
  return count > 0;
}

/**
 * Deletes the user; role and permission links go with it (ON DELETE CASCADE).
 *
 * @example
 * const deleted = await deleteUser(prisma, id);
 * if (!deleted) throw new NotFound();
 * @returns the record as it was, for the audit log; null when there was no such user.
 */
export async function deleteUser(prisma: PrismaClient, id: string): Promise<AdminUser | null> {
  if (!isUuid(id)) return null;
  return prisma.$transaction(async (tx) => {
    if (!(await lockUser(tx, id))) return null;
    const before = await readUser(tx, id);
    await tx.user.delete({ where: { id }, select: { id: true } });
    return before;
  });
}

/**
 * Adds roles to the user; roles it already has are kept (idempotent).
 *
 * @example
 * const user = await assignUserRoles(prisma, id, ['editor', 'viewer']);
 * @returns the user after the change; null when the user does not exist (checked before the roles).
 * @throws {AdminNotFoundError} when a role does not exist; nothing is assigned.
 */
export async function assignUserRoles(
  prisma: PrismaClient,
  id: string,
  roles: string[],
): Promise<AdminUser | null> {
  return changeUser(prisma, id, async (tx) => {
    const roleIds = await resolveRoleIds(tx, roles);
    await tx.userRole.createMany({
      data: roleIds.map((roleId) => ({ userId: id, roleId })),
      skipDuplicates: true,
    });
  });
}

/**
 * Removes one role from the user; removing a role it does not have is a no-op.
 *
 * @example
 * const user = await unassignUserRole(prisma, id, 'editor');
 * @throws {AdminNotFoundError} when no role has that name.
 */
export async function unassignUserRole(
  prisma: PrismaClient,
  id: string,
  role: string,
): Promise<AdminUser | null> {
  return changeUser(prisma, id, async (tx) => {
    const roleId = await resolveRoleId(tx, role);
    await tx.userRole.deleteMany({ where: { userId: id, roleId } });
  });
}

/**
 * Grants permissions directly; unknown permission names are created, granted ones are kept (idempotent).
 *
 * @example
 * const user = await grantUserPermissions(prisma, id, ['items:delete']);
 */
export async function grantUserPermissions(
  prisma: PrismaClient,
  id: string,
  permissions: string[],
): Promise<AdminUser | null> {
  return changeUser(prisma, id, async (tx) => {
    const permissionIds = await ensurePermissionIds(tx, permissions);
    await tx.userPermission.createMany({
      data: permissionIds.map((permissionId) => ({ userId: id, permissionId })),
      skipDuplicates: true,
    });
  });
}

/**
 * Revokes one directly granted permission; one the user does not hold directly is a no-op. Permissions
 * the user gets through a role are untouched.
 *
 * @example
 * const user = await revokeUserPermission(prisma, id, 'items:delete');
 * @throws {AdminNotFoundError} when no permission has that name.
 */
export async function revokeUserPermission(
  prisma: PrismaClient,
  id: string,
  permission: string,
): Promise<AdminUser | null> {
  return changeUser(prisma, id, async (tx) => {
    const permissionId = await resolvePermissionId(tx, permission);
    await tx.userPermission.deleteMany({ where: { userId: id, permissionId } });
  });
}

/** Locks the user, applies `change`, and answers the user afterwards; null when there is no such user. */
async function changeUser(
  prisma: PrismaClient,
  id: string,
  change: (tx: AdminTx) => Promise<void>,
): Promise<AdminUser | null> {
  if (!isUuid(id)) return null;
  return prisma.$transaction(async (tx) => {
    if (!(await lockUser(tx, id))) return null;
    await change(tx);
    return readUser(tx, id);
  });
}

/**
 * Row lock until the transaction ends: a concurrent delete or update waits, so a before/after pair is
 * exact and link inserts cannot hit a foreign-key error halfway. Prisma's query API has no FOR UPDATE.
 */
async function lockUser(tx: AdminTx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "users" WHERE "id" = ${id}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/** Reads a user the caller has locked, so it exists. */
async function readUser(tx: AdminTx, id: string): Promise<AdminUser> {
  return toAdminUser(await tx.user.findUniqueOrThrow({ where: { id }, select: userFields }));
}

/**
 * @internal Ids of the named roles, in no particular order.
 * @throws {AdminNotFoundError} naming the first role that does not exist.
 */
export async function resolveRoleIds(tx: AdminTx, names: string[]): Promise<string[]> {
  const wanted = distinct(names);
  if (wanted.length === 0) return [];
  const roles = await tx.role.findMany({ where: { name: { in: wanted } }, select: { id: true, name: true } });
  const found = new Set(roles.map((role) => role.name));
  const missing = wanted.find((name) => !found.has(name));
  if (missing !== undefined) throw new AdminNotFoundError('role', missing);
  return roles.map((role) => role.id);
}

/**
 * @internal The id of the named role.
 * @throws {AdminNotFoundError} when it does not exist.
 */
export async function resolveRoleId(tx: AdminTx, name: string): Promise<string> {
  const role = await tx.role.findUnique({ where: { name }, select: { id: true } });
  if (!role) throw new AdminNotFoundError('role', name);
  return role.id;
}

/**
 * @internal The id of the named permission.
 * @throws {AdminNotFoundError} when it does not exist.
 */
export async function resolvePermissionId(tx: AdminTx, name: string): Promise<string> {
  const permission = await tx.permission.findUnique({ where: { name }, select: { id: true } });
  if (!permission) throw new AdminNotFoundError('permission', name);
  return permission.id;
}

/** @internal Ids of the named permissions, creating those that do not exist yet (two statements). */
export async function ensurePermissionIds(tx: AdminTx, names: string[]): Promise<string[]> {
  // Sorted: two transactions inserting the same new names in opposite orders would deadlock.
  const wanted = distinct(names).sort();
  if (wanted.length === 0) return [];
  await tx.permission.createMany({ data: wanted.map((name) => ({ name })), skipDuplicates: true });
  const permissions = await tx.permission.findMany({ where: { name: { in: wanted } }, select: { id: true } });
  return permissions.map((permission) => permission.id);
}

/**
 * @internal A unique violation (Prisma P2002) as an AdminConflictError; any other error unchanged.
 * Use as `throw asConflict(error, 'role')`.
 */
export function asConflict(error: unknown, resource: string): unknown {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return error;
  return new AdminConflictError(resource, conflictFields(error.meta));
}

/**
 * The colliding columns, for the message and the API's error detail (absent is fine). Prisma's own engine
 * reports `meta.target`; with adapter-pg, `meta.driverAdapterError.cause.constraint` holds `fields` or only
 * the index name, which for our single-column uniques follows Prisma's `<table>_<column>_key` naming.
 */
function conflictFields(meta: Record<string, unknown> | undefined): string[] {
  const strings = (value: unknown): string[] | undefined =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
  const target = strings(meta?.target);
  if (target) return target;
  const cause = (meta?.driverAdapterError as { cause?: DriverAdapterCause } | undefined)?.cause;
  const fields = strings(cause?.constraint?.fields);
  if (fields) return fields.map((field) => field.replace(/"/g, ''));
  const index = cause?.constraint?.index;
  const table = cause?.table;
  if (typeof index === 'string' && typeof table === 'string' && index.startsWith(`${table}_`)) {
    const column = /^(.+)_key$/.exec(index.slice(table.length + 1))?.[1];
    if (column) return [column];
  }
  return [];
}

interface DriverAdapterCause {
  table?: unknown;
  constraint?: { fields?: unknown; index?: unknown };
}

function distinct(names: string[]): string[] {
  return [...new Set(names)];
}

export { AdminConflictError, AdminNotFoundError } from './admin-errors.js';

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return encodeKeysetCursor(row.createdAt, row.id);
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, isUuid);
  return { createdAt: at, id };
}
