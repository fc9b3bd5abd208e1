import { z } from 'zod';

/**
 * Request and response shapes of the roles and permissions resources. Names are what tokens carry in their
 * `roles` and `permissions` claims and what appears in admin URLs, so they are limited to characters that
 * need no escaping in either: letters, digits and `. _ : -` (e.g. `editor`, `items:write:any`).
 */
const authorizationName = (what: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/,
      `${what} must be 1-100 letters, digits or . _ : -, starting with a letter or digit`,
    );

export const roleName = authorizationName('a role name');
export const permissionName = authorizationName('a permission name');
const description = z.string().trim().max(500);

/** Role names in a request body: at least one, no more than a token could reasonably carry. */
export const roleNames = z.array(roleName).min(1).max(50);
/** Permission names in a request body. */
export const permissionNames = z
  .array(permissionName)
  .max(200)
  .describe('Permission names; ones that do not exist yet are created');

export const createRoleBody = z.strictObject({
  name: roleName,
  description: description.optional(),
  permissions: permissionNames.optional(),
});

export const updateRoleBody = z
  .strictObject({ description: description.optional(), permissions: permissionNames.optional() })
  .refine(
    (body) => body.description !== undefined || body.permissions !== undefined,
    'give description, permissions or both',
  );

export const createPermissionBody = z.strictObject({
  name: permissionName,
  description: description.optional(),
});

const timestamp = z.iso.datetime();

export const roleView = z.object({
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()).describe('Sorted'),
  createdAt: timestamp,
});
export type RoleView = z.infer<typeof roleView>;

export const roleListView = z.object({ roles: z.array(roleView) });

export const permissionView = z.object({
  name: z.string(),
  description: z.string(),
  roles: z.array(z.string()).describe('The roles that carry it, sorted'),
  createdAt: timestamp,
});
export type PermissionView = z.infer<typeof permissionView>;

export const permissionListView = z.object({ permissions: z.array(permissionView) });
