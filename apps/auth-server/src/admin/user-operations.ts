import type { ApiOperation } from '@portcullis/service-kit';
import { REFUSES_GRANTING, refusesActingOn } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import {
  createUserBody,
  listUsersQuery,
  permissionsBody,
  rolesBody,
  setPasswordBody,
  updateUserBody,
  userListView,
  userView,
} from './user-schemas.js';

const read = adminRequirement('users', 'read');
const write = adminRequirement('users', 'write');
const id = { id: { description: 'The user id (a UUID)' } };
const onUser = refusesActingOn('user');
const changed = { 200: { description: 'The user after the change', body: userView } };

/** The `/users` routes of user-routes.ts, for the OpenAPI document. */
export const userOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/users',
    summary: 'List users, oldest first, with paging and search',
    description: '`q` matches a substring of the username or email, literally.',
    tag: 'users',
    security: read,
    query: listUsersQuery,
    responses: { 200: { description: 'One page of users', body: userListView } },
  },
  {
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    description:
      'Password policy (NIST SP 800-63B §5.1.1.2): at least 8 characters, at most 1024 bytes, not a common ' +
      'or breached password, not the username or email, no composition rules. Roles must exist; ' +
      'permissions are created when new. Audited as `admin.user.created` (without the password). 503 with ' +
      `Retry-After when password hashing is saturated. ${REFUSES_GRANTING}`,
    tag: 'users',
    security: write,
    body: createUserBody,
    responses: {
      201: {
        description: 'The new user',
        body: userView,
        headers: { Location: 'The new user, `/users/{id}`' },
      },
    },
    errors: [404, 409, 503],
  },
  {
    method: 'get',
    path: '/users/:id',
    summary: 'Read a user',
    tag: 'users',
    security: read,
    params: id,
    responses: { 200: { description: 'The user', body: userView } },
    errors: [404],
  },
  {
    method: 'patch',
    path: '/users/:id',
    summary: 'Change a user’s email and/or disable or enable the account',
    description:
      'A disabled user cannot log in, and disabling records a `user` revocation: the refresh tokens of the ' +
      'user are deleted and the access tokens already issued to it are refused. Audited as ' +
      '`admin.user.updated`, or `admin.user.disabled`, with the user before and after, and the revocation ' +
      `as \`admin.revocation.created\`. ${onUser}`,
    tag: 'users',
    security: write,
    params: id,
    body: updateUserBody,
    responses: changed,
    errors: [404, 409],
  },
  {
    method: 'put',
    path: '/users/:id/password',
    summary: 'Set a user’s password',
    description:
      'Same policy as on creation, including not the user’s username or email; 503 with Retry-After when ' +
      `password hashing is saturated. Audited as \`admin.user.password_set\` (without the password). ${onUser}`,
    tag: 'users',
    security: write,
    params: id,
    body: setPasswordBody,
    responses: { 204: { description: 'Set' } },
    errors: [404, 503],
  },
  {
    method: 'delete',
    path: '/users/:id',
    summary: 'Delete a user and revoke its tokens',
    description:
      'A `user` revocation is recorded first, so the tokens already issued to the user are refused. Audited ' +
      `as \`admin.revocation.created\` and \`admin.user.deleted\` with the user as it was. ${onUser}`,
    tag: 'users',
    security: write,
    params: id,
    responses: { 204: { description: 'Deleted' } },
    errors: [404],
  },
  {
    method: 'post',
    path: '/users/:id/roles',
    summary: 'Assign roles to a user',
    description:
      'Every role must exist; nothing is assigned otherwise. Audited as `admin.user.roles_assigned`. ' +
      REFUSES_GRANTING,
    tag: 'users',
    security: write,
    params: id,
    body: rolesBody,
    responses: changed,
    errors: [404],
  },
  {
    method: 'delete',
    path: '/users/:id/roles/:role',
    summary: 'Take a role from a user',
    description: `Audited as \`admin.user.role_unassigned\`. ${onUser}`,
    tag: 'users',
    security: write,
    params: { ...id, role: { description: 'The role name' } },
    responses: changed,
    errors: [404],
  },
  {
    method: 'post',
    path: '/users/:id/permissions',
    summary: 'Grant permissions to a user directly',
    description: `Permissions are created when new. Audited as \`admin.user.permissions_granted\`. ${REFUSES_GRANTING}`,
    tag: 'users',
    security: write,
    params: id,
    body: permissionsBody,
    responses: changed,
    errors: [404],
  },
  {
    method: 'delete',
    path: '/users/:id/permissions/:permission',
    summary: 'Revoke a permission granted to a user directly',
    description: `Role-derived permissions are not affected. Audited as \`admin.user.permission_revoked\`. ${onUser}`,
    tag: 'users',
    security: write,
    params: { ...id, permission: { description: 'The permission name, e.g. `items:delete`' } },
    responses: changed,
    errors: [404],
  },
];
