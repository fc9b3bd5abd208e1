import type { ApiOperation } from '@portcullis/service-kit';
import { REFUSES_GRANTING, refusesActingOn } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import { createRoleBody, roleListView, roleView, updateRoleBody } from './role-schemas.js';

const read = adminRequirement('roles', 'read');
const write = adminRequirement('roles', 'write');
const onRole = refusesActingOn('role');
const name = { name: { description: 'The role name, e.g. `editor`' } };

/** The `/roles` routes of role-routes.ts, for the OpenAPI document. */
export const roleOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/roles',
    summary: 'List roles with their permissions, sorted by name',
    tag: 'roles',
    security: read,
    responses: { 200: { description: 'Every role', body: roleListView } },
  },
  {
    method: 'post',
    path: '/roles',
    summary: 'Create a role',
    description: `Permissions that do not exist yet are created. Audited as \`admin.role.created\`. ${REFUSES_GRANTING}`,
    tag: 'roles',
    security: write,
    body: createRoleBody,
    responses: {
      201: { description: 'The new role', body: roleView, headers: { Location: 'The URL of the new role' } },
    },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/roles/:name',
    summary: 'Read a role',
    tag: 'roles',
    security: read,
    params: name,
    responses: { 200: { description: 'The role', body: roleView } },
    errors: [404],
  },
  {
    method: 'patch',
    path: '/roles/:name',
    summary: "Change a role's description and/or replace its permissions",
    description:
      'Everyone holding the role gets the new permissions at their next token. Audited as ' +
      `\`admin.role.updated\` with the role before and after. ${REFUSES_GRANTING} ${onRole}`,
    tag: 'roles',
    security: write,
    params: name,
    body: updateRoleBody,
    responses: { 200: { description: 'The role after the change', body: roleView } },
    errors: [400, 404, 413, 415],
  },
  {
    method: 'delete',
    path: '/roles/:name',
    summary: 'Delete a role',
    description:
      'Users and clients lose it at their next token; the permissions stay. Audited as ' +
      `\`admin.role.deleted\`. ${onRole}`,
    tag: 'roles',
    security: write,
    params: name,
    responses: { 204: { description: 'Deleted' } },
    errors: [404],
  },
];
