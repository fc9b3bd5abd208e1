import type { ApiOperation } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import {
  apiKeyListView,
  apiKeyView,
  createApiKeyBody,
  issuedApiKeyView,
  listApiKeysQuery,
  rotateApiKeyBody,
} from './api-key-schemas.js';

const read = adminRequirement('api-keys', 'read');
const write = adminRequirement('api-keys', 'write');
const id = { id: { description: 'The key id (the `<id>` in `pcl_<id>_<secret>`)' } };
const onOwner = 'Answers 403 when the owner holds admin permissions the caller does not.';

/** The `/api-keys` routes of api-key-routes.ts, for the OpenAPI document. */
export const apiKeyOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api-keys',
    summary: 'List API keys, oldest first, with paging and filters',
    tag: 'api-keys',
    security: read,
    query: listApiKeysQuery,
    responses: { 200: { description: 'One page of keys (never a key or its hash)', body: apiKeyListView } },
    errors: [400],
  },
  {
    method: 'post',
    path: '/api-keys',
    summary: 'Issue an API key to a user or a service client',
    description:
      'The key is in this answer only; the server keeps an HMAC of it (API_KEY_HASH_KEY) and publishes a ' +
      'signed record of it to resource servers, which check `X-API-Key` offline. The owner must exist ' +
      '(404) and be enabled (409); the key carries at most what its owner holds: scopes among SCOPES (and ' +
      "a client's own), roles and permissions the owner holds now, never admin permissions or the admin " +
      'API (400). Resource servers see its roles and permissions narrowed to what the owner still holds. ' +
      `Audited as \`admin.api_key.created\` (prefix and owner, never the key). ${onOwner}`,
    tag: 'api-keys',
    security: write,
    body: createApiKeyBody,
    responses: {
      201: {
        description: 'The new key, with the key itself',
        body: issuedApiKeyView,
        headers: { Location: 'The URL of the new key' },
      },
    },
    errors: [400, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/api-keys/:id',
    summary: 'Read an API key (never the key or its hash)',
    tag: 'api-keys',
    security: read,
    params: id,
    responses: { 200: { description: 'The key', body: apiKeyView } },
    errors: [404],
  },
  {
    method: 'post',
    path: '/api-keys/:id/rotate',
    summary: 'Replace an API key with a new one',
    description:
      'The new key has the same owner, name, resource, scopes, roles, permissions and expiry. With ' +
      '`graceSeconds` 0 (default) the old key is revoked at once, as DELETE does; otherwise it expires ' +
      'at the end of the grace, everywhere. A revoked or expired key cannot be rotated (409). Audited as ' +
      `\`admin.api_key.rotated\`. ${onOwner}`,
    tag: 'api-keys',
    security: write,
    params: id,
    body: rotateApiKeyBody,
    responses: {
      201: {
        description: 'The new key, with the key itself',
        body: issuedApiKeyView,
        headers: { Location: 'The URL of the new key' },
      },
    },
    errors: [400, 404, 409, 413, 415],
  },
  {
    method: 'delete',
    path: '/api-keys/:id',
    summary: 'Revoke an API key everywhere',
    description:
      'Answers once the revocation is durable: the key is marked revoked (it stays listed), a `jti` ' +
      'revocation named by its id reaches every resource server, and its record leaves Redis. Revoking ' +
      `again changes nothing. Audited as \`admin.api_key.revoked\`. ${onOwner}`,
    tag: 'api-keys',
    security: write,
    params: id,
    responses: { 204: { description: 'Revoked' } },
    errors: [404],
  },
];
