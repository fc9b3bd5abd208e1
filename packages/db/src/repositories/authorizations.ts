import type { PrismaClient } from '../generated/client.js';

/** What a token carries about its subject (DESIGN "Authorization model"), sorted for stable tokens. */
export interface SubjectAuthorizations {
  roles: string[];
  permissions: string[];
}

const rolesWithPermissions = {
  select: {
    role: { select: { name: true, permissions: { select: { permission: { select: { name: true } } } } } },
  },
} as const;
const directPermissions = { select: { permission: { select: { name: true } } } } as const;

type RoleLink = { role: { name: string; permissions: { permission: { name: string } }[] } };
type PermissionLink = { permission: { name: string } };

function unionOf(roleLinks: RoleLink[], permissionLinks: PermissionLink[]): SubjectAuthorizations {
  const roles = new Set(roleLinks.map((link) => link.role.name));
  const permissions = new Set(permissionLinks.map((link) => link.permission.name));
  for (const { role } of roleLinks)
    for (const { permission } of role.permissions) permissions.add(permission.name);
  return { roles: [...roles].sort(), permissions: [...permissions].sort() };
}

/** A user's roles, and the union of direct and role-derived permissions. */
export async function getUserAuthorizations(
  prisma: PrismaClient,
  userId: string,
): Promise<SubjectAuthorizations> {
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: { roles: rolesWithPermissions, permissions: directPermissions },
  });
  return user ? unionOf(user.roles, user.permissions) : { roles: [], permissions: [] };
}

/** A service client's roles and permissions, carried by its client_credentials tokens. */
export async function getClientAuthorizations(
  prisma: PrismaClient,
  clientId: string,
): Promise<SubjectAuthorizations> {
  const client = await prisma.client.findUnique({
    where: { id: clientId },
    select: { roles: rolesWithPermissions, permissions: directPermissions },
  });
  return client ? unionOf(client.roles, client.permissions) : { roles: [], permissions: [] };
}
