import type { PrismaClient } from '../generated/client.js';
import { normalizeUsername } from './users.js';

/**
 * Idempotent "make it so" writes used by the seed and by tests: each call converges the named record to the
 * given state, inside one transaction, so a re-run or a crash never leaves half a user or client behind.
 */

export interface RoleSpec {
  name: string;
  description?: string;
  permissions: string[];
}

export interface UserSpec {
  username: string;
  email?: string;
  passwordHash: string;
  disabled?: boolean;
  roles?: string[];
  permissions?: string[];
}

export interface ClientSpec {
  id: string;
  /** Shown to admins; defaults to the id. */
  name?: string;
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  firstParty?: boolean;
  /** May call RFC 7662 introspection; default false. */
  introspection?: boolean;
  disabled?: boolean;
  roles?: string[];
  permissions?: string[];
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function permissionIds(tx: Tx, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const permission = await tx.permission.upsert({ where: { name }, create: { name }, update: {} });
    ids.push(permission.id);
  }
  return ids;
}

async function roleIds(tx: Tx, names: string[]): Promise<string[]> {
  const roles = await tx.role.findMany({ where: { name: { in: names } }, select: { id: true, name: true } });
  const missing = names.filter((name) => !roles.some((role) => role.name === name));
  if (missing.length > 0) throw new Error(`unknown role(s): ${missing.join(', ')}`);
  return roles.map((role) => role.id);
}

export async function upsertRole(prisma: PrismaClient, spec: RoleSpec): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const role = await tx.role.upsert({
      where: { name: spec.name },
      create: { name: spec.name, description: spec.description ?? '' },
      update: { description: spec.description ?? '' },
    });
    const ids = await permissionIds(tx, spec.permissions);
    await tx.rolePermission.deleteMany({ where: { roleId: role.id } });
    await tx.rolePermission.createMany({
      data: ids.map((permissionId) => ({ roleId: role.id, permissionId })),
    });
    return role.id;
  });
}

export async function upsertUser(prisma: PrismaClient, spec: UserSpec): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const fields = {
      email: spec.email ?? null,
      passwordHash: spec.passwordHash,
      disabled: spec.disabled ?? false,
    };
    const username = normalizeUsername(spec.username);
    const user = await tx.user.upsert({
      where: { username },
      create: { username, ...fields },
      update: fields,
    });
    const roles = await roleIds(tx, spec.roles ?? []);
    const permissions = await permissionIds(tx, spec.permissions ?? []);
    await tx.userRole.deleteMany({ where: { userId: user.id } });
    await tx.userRole.createMany({ data: roles.map((roleId) => ({ userId: user.id, roleId })) });
    await tx.userPermission.deleteMany({ where: { userId: user.id } });
    await tx.userPermission.createMany({
      data: permissions.map((permissionId) => ({ userId: user.id, permissionId })),
    });
    return user.id;
  });
}

export async function upsertClient(prisma: PrismaClient, spec: ClientSpec): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const fields = {
      name: spec.name ?? spec.id,
      secretHash: spec.secretHash,
      grantTypes: spec.grantTypes,
      scopes: spec.scopes,
      tokenEndpointAuthMethod: spec.tokenEndpointAuthMethod ?? 'client_secret_basic',
      firstParty: spec.firstParty ?? false,
      introspection: spec.introspection ?? false,
      disabled: spec.disabled ?? false,
    };
    await tx.client.upsert({ where: { id: spec.id }, create: { id: spec.id, ...fields }, update: fields });
    const roles = await roleIds(tx, spec.roles ?? []);
    const permissions = await permissionIds(tx, spec.permissions ?? []);
    await tx.clientRole.deleteMany({ where: { clientId: spec.id } });
    await tx.clientRole.createMany({ data: roles.map((roleId) => ({ clientId: spec.id, roleId })) });
    await tx.clientPermission.deleteMany({ where: { clientId: spec.id } });
    await tx.clientPermission.createMany({
      data: permissions.map((permissionId) => ({ clientId: spec.id, permissionId })),
    });
  });
}
