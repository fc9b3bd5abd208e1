import type { ApiOperation } from '@portcullis/service-kit';
import { REFUSES_GRANTING, refusesActingOn } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import {
  clientListView,
  clientPermissionsBody,
  clientRolesBody,
  clientView,
  createClientBody,
  createdClientView,
  listClientsQuery,
  rotatedSecretView,
  updateClientBody,
} from './client-schemas.js';

const read = adminRequirement('clients', 'read');
const write = adminRequirement('clients', 'write');
const id = { id: { description: 'The OAuth client_id' } };
const onClient = refusesActingOn('client');
const updated = { 200: { description: 'The client after the change', body: clientView } };

/** The `/clients` routes of client-routes.ts, for the OpenAPI document. */
export const clientOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/clients',
    summary: 'List clients, oldest first, with paging and search',
    tag: 'clients',
    security: read,
    query: listClientsQuery,
    responses: { 200: { description: 'One page of clients', body: clientListView } },
    errors: [400],
  },
  {
    method: 'post',
    path: '/clients',
    summary: 'Create a client and its secret',
    description:
      'The secret is in this answer only; the server keeps an HMAC of it. `password` needs `firstParty`, ' +
      '`refresh_token` needs `password`, scopes must be configured ones, and `admin` is only for ' +
      'client_credentials clients and first-party password clients. `introspection` lets the client call ' +
      'RFC 7662 token introspection (for resource servers). Audited as `admin.client.created` ' +
      `(without the secret). ${REFUSES_GRANTING}`,
    tag: 'clients',
    security: write,
    body: createClientBody,
    responses: {
      201: {
        description: 'The new client with its secret',
        body: createdClientView,
        headers: { Location: 'The URL of the new client' },
      },
    },
    errors: [400, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/clients/:id',
    summary: 'Read a client',
    tag: 'clients',
    security: read,
    params: id,
    responses: { 200: { description: 'The client', body: clientView } },
    errors: [404],
  },
  {
    method: 'patch',
    path: '/clients/:id',
    summary: 'Change, disable or re-enable a client',
    description:
      'Disabling refuses its next token request, deletes its grants and refresh tokens and records a ' +
      '`client` revocation, so the access tokens already issued to it are refused too. Audited as ' +
      '`admin.client.updated` or `admin.client.disabled` with the client before and after, and the ' +
      `revocation as \`admin.revocation.created\`. ${onClient}`,
    tag: 'clients',
    security: write,
    params: id,
    body: updateClientBody,
    responses: updated,
    errors: [400, 404, 413, 415],
  },
  {
    method: 'post',
    path: '/clients/:id/secret',
    summary: 'Rotate the client secret',
    description:
      'The old secret is refused from the next request on; tokens already issued stay valid. The new ' +
      `secret is in this answer only. Audited as \`admin.client.secret_rotated\`. ${onClient}`,
    tag: 'clients',
    security: write,
    params: id,
    responses: { 200: { description: 'The new secret', body: rotatedSecretView } },
    errors: [404],
  },
  {
    method: 'delete',
    path: '/clients/:id',
    summary: 'Delete a client with its grants and refresh tokens, and revoke its access tokens',
    description:
      'A `client` revocation is recorded first, so the access tokens already issued to it are refused. ' +
      `Audited as \`admin.revocation.created\` and \`admin.client.deleted\`. ${onClient}`,
    tag: 'clients',
    security: write,
    params: id,
    responses: { 204: { description: 'Deleted' } },
    errors: [404],
  },
  {
    method: 'post',
    path: '/clients/:id/roles',
    summary: 'Assign roles to a client',
    description: `Roles it already has are kept. Audited as \`admin.client.roles_assigned\`. ${REFUSES_GRANTING}`,
    tag: 'clients',
    security: write,
    params: id,
    body: clientRolesBody,
    responses: updated,
    errors: [400, 404, 413, 415],
  },
  {
    method: 'delete',
    path: '/clients/:id/roles/:role',
    summary: 'Unassign a role from a client',
    description: `Audited as \`admin.client.role_unassigned\`. ${onClient}`,
    tag: 'clients',
    security: write,
    params: { ...id, role: { description: 'The role name' } },
    responses: updated,
    errors: [404],
  },
  {
    method: 'post',
    path: '/clients/:id/permissions',
    summary: 'Grant permissions directly to a client',
    description:
      'Permissions that do not exist yet are created. Audited as `admin.client.permissions_granted`. ' +
      REFUSES_GRANTING,
    tag: 'clients',
    security: write,
    params: id,
    body: clientPermissionsBody,
    responses: updated,
    errors: [400, 404, 413, 415],
  },
  {
    method: 'delete',
    path: '/clients/:id/permissions/:permission',
    summary: 'Revoke a directly granted permission from a client',
    description: `Audited as \`admin.client.permission_revoked\`. ${onClient}`,
    tag: 'clients',
    security: write,
    params: { ...id, permission: { description: 'The permission name' } },
    responses: updated,
    errors: [404],
  },
];
