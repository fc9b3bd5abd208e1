import type { Prisma, PrismaClient } from '../generated/client.js';
import {
  type AdminChange,
  type AdminTx,
  asConflict,
  ensurePermissionIds,
  resolvePermissionId,
  resolveRoleId,
  resolveRoleIds,
} from './admin-users.js';

/**
 * The admin API's view of roles, permissions and service clients' authorizations (Keycloak's realm roles
 * and client scope mappings). Lists are sorted by name in code-unit order, independent of the database
 * collation; every multi-step write runs in one transaction.
 */

/** A role as the admin API shows it. */
export interface AdminRole {
  name: string;
  description: string;
  /** Permission names the role carries, sorted. */
  permissions: string[];
  createdAt: Date;
}

/** A permission as the admin API shows it. */
export interface AdminPermission {
  /** A `resource:action` string such as `items:delete`. */
  name: string;
  description: string;
  /** Names of the roles that carry it, sorted. */
  roles: string[];
  createdAt: Date;
}

export interface NewAdminRole {
  name: string;
  description?: string | undefined;
  /** Permission names; created when they do not exist yet. */
  permissions: string[];
}

export interface AdminRoleChanges {
  description?: string | undefined;
  /** Replaces the role's permissions; names that do not exist yet are created. */
  permissions?: string[] | undefined;
}

export interface NewAdminPermission {
  name: string;
  description?: string | undefined;
}

/** A service client's directly assigned roles and permissions (role-derived permissions not included). */
export interface AdminClientAuthorizations {
  clientId: string;
  /** Sorted. */
  roles: string[];
  /** Directly granted permission names, sorted. */
  permissions: string[];
}

const roleFields = {
  name: true,
  description: true,
  createdAt: true,
  permissions: { select: { permission: { select: { name: true } } } },
} as const satisfies Prisma.RoleSelect;

const permissionFields = {
  name: true,
  description: true,
  createdAt: true,
  roles: { select: { role: { select: { name: true } } } },
} as const satisfies Prisma.PermissionSelect;

const clientFields = {
  id: true,
  roles: { select: { role: { select: { name: true } } } },
  permissions: { select: { permission: { select: { name: true } } } },
} as const satisfies Prisma.ClientSelect;

type RoleRow = Prisma.RoleGetPayload<{ select: typeof roleFields }>;
type PermissionRow = Prisma.PermissionGetPayload<{ select: typeof permissionFields }>;
type ClientRow = Prisma.ClientGetPayload<{ select: typeof clientFields }>;

function toAdminRole(row: RoleRow): AdminRole {
  return {
    name: row.name,
    description: row.description,
    permissions: row.permissions.map((link) => link.permission.name).sort(),
    createdAt: row.createdAt,
  };
}

function toAdminPermission(row: PermissionRow): AdminPermission {
  return {
    name: row.name,
    description: row.description,
    roles: row.roles.map((link) => link.role.name).sort(),
    createdAt: row.createdAt,
  };
}

function toClientAuthorizations(row: ClientRow): AdminClientAuthorizations {
  return {
    clientId: row.id,
    roles: row.roles.map((link) => link.role.name).sort(),
    permissions: row.permissions.map((link) => link.permission.name).sort(),
  };
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Every role with its permissions, sorted by name.
 *
 * @example
 * const roles = await listRoles(prisma);
 */
export async function listRoles(prisma: PrismaClient): Promise<AdminRole[]> {
  const rows = await prisma.role.findMany({ select: roleFields });
  return rows.map(toAdminRole).sort(byName);
}

/**
 * The role, or null.
 *
 * @example
 * const role = await getRole(prisma, ctx.params.name);
 */
export async function getRole(prisma: PrismaClient, name: string): Promise<AdminRole | null> {
  const row = await prisma.role.findUnique({ where: { name }, select: roleFields });
  return row ? toAdminRole(row) : null;
}

/**
 * Creates the role and its permission links in one transaction.
 *
 * @example
 * const role = await createRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
 * @throws {AdminConflictError} when a role of that name exists.
 */
export async function createRole(prisma: PrismaClient, input: NewAdminRole): Promise<AdminRole> {
  try {
    return await prisma.$transaction(async (tx) => {
      const role = await tx.role.create({
        data: { name: input.name, description: input.description ?? '' },
        select: { id: true },
      });
      const permissionIds = await ensurePermissionIds(tx, input.permissions);
      await tx.rolePermission.createMany({
        data: permissionIds.map((permissionId) => ({ roleId: role.id, permissionId })),
      });
      return readRole(tx, input.name);
    });
  } catch (error) {
    throw asConflict(error, 'role');
  }
}

/**
 * Changes the description and/or replaces the permissions, with the row locked so `before` is exactly what
 * the change replaced. With no changes nothing is written and `before` equals `after`.
 *
 * @example
 * const change = await updateRole(prisma, 'editor', { permissions: ['items:read'] });
 * if (!change) throw new NotFound();
 */
export async function updateRole(
  prisma: PrismaClient,
  name: string,
  changes: AdminRoleChanges,
): Promise<AdminChange<AdminRole> | null> {
  return prisma.$transaction(async (tx) => {
    const roleId = await lockRole(tx, name);
    if (roleId === null) return null;
    const before = await readRole(tx, name);
    if (changes.description === undefined && changes.permissions === undefined) {
      return { before, after: before };
    }
    if (changes.description !== undefined) {
      await tx.role.update({ where: { id: roleId }, data: { description: changes.description } });
    }
    if (changes.permissions !== undefined) {
      const permissionIds = await ensurePermissionIds(tx, changes.permissions);
      await tx.rolePermission.deleteMany({ where: { roleId } });
      await tx.rolePermission.createMany({
        data: permissionIds.map((permissionId) => ({ roleId, permissionId })),
      });
    }
    return { before, after: await readRole(tx, name) };
  });
}

/**
 * Deletes the role; its links to users, clients and permissions go with it (ON DELETE CASCADE). The
 * permissions themselves stay.
 *
 * @example
 * const deleted = await deleteRole(prisma, 'editor');
 * @returns the role as it was, for the audit log; null when there was no such role.
 */
export async function deleteRole(prisma: PrismaClient, name: string): Promise<AdminRole | null> {
  return prisma.$transaction(async (tx) => {
    const roleId = await lockRole(tx, name);
    if (roleId === null) return null;
    const before = await readRole(tx, name);
    await tx.role.delete({ where: { id: roleId }, select: { id: true } });
    return before;
  });
}

/**
 * Every permission with the roles that carry it, sorted by name.
 *
 * @example
 * const permissions = await listPermissions(prisma);
 */
export async function listPermissions(prisma: PrismaClient): Promise<AdminPermission[]> {
  const rows = await prisma.permission.findMany({ select: permissionFields });
  return rows.map(toAdminPermission).sort(byName);
}

/**
 * @example
 * const permission = await createPermission(prisma, { name: 'items:delete', description: 'Delete any item' });
 * @throws {AdminConflictError} when a permission of that name exists.
 */
export async function createPermission(
  prisma: PrismaClient,
  input: NewAdminPermission,
): Promise<AdminPermission> {
  try {
    const row = await prisma.permission.create({
      data: { name: input.name, description: input.description ?? '' },
      select: permissionFields,
    });
    return toAdminPermission(row);
  } catch (error) {
    throw asConflict(error, 'permission');
  }
}

/**
 * Deletes the permission; roles, users and clients lose it (ON DELETE CASCADE). False when it did not exist.
 *
 * @example
 * if (!(await deletePermission(prisma, 'items:delete'))) throw new NotFound();
 */
export async function deletePermission(prisma: PrismaClient, name: string): Promise<boolean> {
  const { count } = await prisma.permission.deleteMany({ where: { name } });
  return count > 0;
}

/**
 * Adds roles to a service client; roles it already has are kept (idempotent).
 *
 * @example
 * const client = await assignClientRoles(prisma, 'inventory-sync', ['inventory']);
 * @returns the client's authorizations afterwards; null when the client does not exist (checked first).
 * @throws {AdminNotFoundError} when a role does not exist; nothing is assigned.
 */
export async function assignClientRoles(
  prisma: PrismaClient,
  clientId: string,
  roles: string[],
): Promise<AdminClientAuthorizations | null> {
  return changeClient(prisma, clientId, async (tx) => {
    const roleIds = await resolveRoleIds(tx, roles);
    await tx.clientRole.createMany({
      data: roleIds.map((roleId) => ({ clientId, roleId })),
      skipDuplicates: true,
    });
  });
}

/**
 * Removes one role from a service client; removing a role it does not have is a no-op.
 *
 * @example
 * const client = await unassignClientRole(prisma, 'inventory-sync', 'inventory');
 * @throws {AdminNotFoundError} when no role has that name.
 */
export async function unassignClientRole(
  prisma: PrismaClient,
  clientId: string,
  role: string,
): Promise<AdminClientAuthorizations | null> {
  return changeClient(prisma, clientId, async (tx) => {
    const roleId = await resolveRoleId(tx, role);
    await tx.clientRole.deleteMany({ where: { clientId, roleId } });
  });
}

/**
 * Grants permissions directly to a service client; unknown names are created, granted ones kept.
 *
 * @example
 * const client = await grantClientPermissions(prisma, 'inventory-sync', ['items:read']);
 */
export async function grantClientPermissions(
  prisma: PrismaClient,
  clientId: string,
  permissions: string[],
): Promise<AdminClientAuthorizations | null> {
  return changeClient(prisma, clientId, async (tx) => {
    const permissionIds = await ensurePermissionIds(tx, permissions);
    await tx.clientPermission.createMany({
      data: permissionIds.map((permissionId) => ({ clientId, permissionId })),
      skipDuplicates: true,
    });
  });
}

/**
 * Revokes one directly granted permission from a service client; one it does not hold is a no-op.
 *
 * @example
 * const client = await revokeClientPermission(prisma, 'inventory-sync', 'items:read');
 * @throws {AdminNotFoundError} when no permission has that name.
 */
export async function revokeClientPermission(
  prisma: PrismaClient,
  clientId: string,
  permission: string,
): Promise<AdminClientAuthorizations | null> {
  return changeClient(prisma, clientId, async (tx) => {
    const permissionId = await resolvePermissionId(tx, permission);
    await tx.clientPermission.deleteMany({ where: { clientId, permissionId } });
  });
}

/** Locks the client, applies `change`, and answers its authorizations; null when there is no such client. */
async function changeClient(
  prisma: PrismaClient,
  clientId: string,
  change: (tx: AdminTx) => Promise<void>,
): Promise<AdminClientAuthorizations | null> {
  return prisma.$transaction(async (tx) => {
    // Row lock until commit: a concurrent delete waits instead of failing our link inserts halfway.
    const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "clients" WHERE "id" = ${clientId} FOR UPDATE`;
    if (rows.length === 0) return null;
    await change(tx);
    const row = await tx.client.findUniqueOrThrow({ where: { id: clientId }, select: clientFields });
    return toClientAuthorizations(row);
  });
}

/** Locks the role row until the transaction ends (Prisma's query API has no FOR UPDATE); its id, or null. */
async function lockRole(tx: AdminTx, name: string): Promise<string | null> {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT "id" FROM "roles" WHERE "name" = ${name} FOR UPDATE`;
  return rows[0]?.id ?? null;
}

async function readRole(tx: AdminTx, name: string): Promise<AdminRole> {
  return toAdminRole(await tx.role.findUniqueOrThrow({ where: { name }, select: roleFields }));
}
