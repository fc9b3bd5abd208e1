import type { Requirement } from '@portcullis/guard';

/**
 * Fine-grained admin permissions (issue 4): `admin:<resource>:read|write`. The `admin` role carries all of
 * them; a "viewer" admin gets only the `:read` ones. Every admin route also needs the `admin` scope, which
 * only tokens audienced to the admin API carry.
 */
export const ADMIN_RESOURCES = [
  'users',
  'roles',
  'clients',
  'revocations',
  'keys',
  'audit',
  'api-keys',
] as const;
export type AdminResource = (typeof ADMIN_RESOURCES)[number];

export const ADMIN_PERMISSIONS: readonly string[] = ADMIN_RESOURCES.flatMap((resource) => [
  `admin:${resource}:read`,
  `admin:${resource}:write`,
]);

/** Whether a permission is one of the admin API's (`admin:*`): they go only into admin-API tokens. */
export function isAdminPermission(permission: string): boolean {
  return permission.startsWith('admin:');
}

export function adminRequirement(resource: AdminResource, access: 'read' | 'write'): Requirement {
  return { scopes: ['admin'], permissions: [`admin:${resource}:${access}`] };
}
