import type { ApiOperation } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import { createPermissionBody, permissionListView, permissionView } from './role-schemas.js';

/** The `/permissions` routes of permission-routes.ts, for the OpenAPI document. */
export const permissionOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/permissions',
    summary: 'List permissions with the roles that carry them, sorted by name',
    tag: 'permissions',
    security: adminRequirement('roles', 'read'),
    responses: { 200: { description: 'Every permission', body: permissionListView } },
  },
  {
    method: 'post',
    path: '/permissions',
    summary: 'Create a permission',
    description: 'Audited as `admin.permission.created`.',
    tag: 'permissions',
    security: adminRequirement('roles', 'write'),
    body: createPermissionBody,
    responses: { 201: { description: 'The new permission', body: permissionView } },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'delete',
    path: '/permissions/:name',
    summary: 'Delete a permission',
    description:
      'Every role, user and client holding it loses it. Audited as `admin.permission.deleted` with the ' +
      'roles it was taken from. Answers 403 for an `admin:*` permission the caller does not hold.',
    tag: 'permissions',
    security: adminRequirement('roles', 'write'),
    params: { name: { description: 'The permission name, e.g. `items:delete`' } },
    responses: { 204: { description: 'Deleted' } },
    errors: [404],
  },
];
