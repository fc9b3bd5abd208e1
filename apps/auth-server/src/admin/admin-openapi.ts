import { type ApiOperation, buildOpenApiDocument, type OpenApiDocument } from '@portcullis/service-kit';
import { ADMIN_SCOPE, type AuthServerConfig } from '../config.js';
import { apiKeyOperations } from './api-key-operations.js';
import { auditOperations } from './audit-operations.js';
import { clientOperations } from './client-operations.js';
import { keyOperations } from './key-operations.js';
import { permissionOperations } from './permission-operations.js';
import { protectedResourceMetadataOperations } from './protected-resource-metadata-operations.js';
import { revocationOperations } from './revocation-operations.js';
import { roleOperations } from './role-operations.js';
import { userOperations } from './user-operations.js';

/** The admin API contract's version (OpenAPI `info.version`): bump it when a route changes shape. */
export const ADMIN_API_VERSION = '1.0.0';

/** Every operation of the routers create-admin-api.ts mounts; a test holds the two lists equal. */
export const adminOperations: readonly ApiOperation[] = [
  ...userOperations,
  ...roleOperations,
  ...permissionOperations,
  ...clientOperations,
  ...apiKeyOperations,
  ...revocationOperations,
  ...keyOperations,
  ...auditOperations,
  ...protectedResourceMetadataOperations,
];

const TAGS = [
  { name: 'users', description: 'People who log in with the password grant' },
  { name: 'roles', description: 'Named bundles of permissions, assigned to users and clients' },
  { name: 'permissions', description: '`resource:action` strings carried by tokens' },
  { name: 'clients', description: 'OAuth clients: services and first-party apps' },
  { name: 'api-keys', description: 'API keys for machines, issued to a user or a service client' },
  { name: 'revocations', description: 'Revoking tokens by token, grant, user, client or signing key' },
  { name: 'keys', description: 'The signing-key schedule' },
  { name: 'audit', description: 'Who changed what' },
  { name: 'metadata', description: 'Discovery for clients of this API' },
];

/**
 * The admin API's OpenAPI document, served at `/docs` on the admin listener. Admin tokens are audienced to
 * ADMIN_RESOURCE and carry the `admin` scope; a token request for `scope=admin` alone gets that audience
 * without a `resource` parameter, which Swagger UI's "Authorize" dialog cannot send.
 */
export function createAdminOpenApiDocument(
  config: Pick<AuthServerConfig, 'issuer' | 'admin'>,
): OpenApiDocument {
  const resource = config.admin.resource;
  return buildOpenApiDocument({
    title: 'Portcullis admin API',
    version: ADMIN_API_VERSION,
    description: [
      'Users, roles, permissions, clients, revocations, signing keys and the audit log of a Portcullis',
      'authorization server. This API has its own listener, never exposed publicly. Every write is audited.',
      '',
      `Every route needs an access token audienced to the admin API (\`aud\` = \`${resource}\`) with the`,
      '`admin` scope, plus the `admin:<resource>:read|write` permission the route names. Get one with the',
      'client_credentials grant with `scope=admin` (that scope alone selects this audience), e.g. through',
      'POST /token below or `portcullis login`, and paste it under `bearerAuth` in "Authorize".',
      'Errors are RFC 9457 problem details.',
    ].join('\n'),
    authorization: {
      issuer: config.issuer,
      scopes: { [ADMIN_SCOPE]: 'The admin API (only tokens audienced to it carry this scope)' },
      flows: ['clientCredentials'],
      description: `Ask for \`scope=admin\` alone (or send \`resource=${resource}\`): tokens for other APIs are refused here.`,
    },
    tags: TAGS,
    operations: adminOperations,
  });
}
