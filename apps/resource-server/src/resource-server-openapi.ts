import {
  type ApiOperation,
  buildOpenApiDocument,
  type OpenApiDocument,
  openApiPath,
} from '@portcullis/service-kit';
import type { ResourceServerConfig } from './config.js';
import { meOperations } from './http/me-operations.js';
import { itemOperations } from './items/item-operations.js';

/** The items API contract's version (OpenAPI `info.version`): bump it when a route changes shape. */
export const ITEMS_API_VERSION = '1.0.0';

/** Every operation of the routers container.ts mounts; a test holds the two lists equal. */
export const resourceServerOperations: readonly ApiOperation[] = [...itemOperations, ...meOperations];

/**
 * The operations whose routes opt in to X-API-Key (item-routes.ts, me-route.ts), as `<method> <koa path>`;
 * a test holds this list equal to what the guard middlewares declare (`acceptsApiKey`).
 */
export const apiKeyOperations: readonly string[] = ['get /items', 'get /items/:id', 'post /items', 'get /me'];

const SCOPES = {
  'items:read': 'Read items',
  'items:write': 'Create items and change your own (or any, with `items:write:any`)',
  'items:delete': 'Delete your own items (or any, with `items:delete:any`)',
};

/**
 * The items API's OpenAPI document, served at `/docs`. Tokens come from the issuer; the guard answers 503
 * (with Retry-After) rather than guess when it cannot load the signing keys or its revocation mirror is out
 * of sync with Redis for longer than allowed, hence 503 on every secured route.
 */
export function createResourceServerOpenApiDocument(
  config: Pick<ResourceServerConfig, 'issuer' | 'audience'> & Partial<Pick<ResourceServerConfig, 'apiKeys'>>,
): OpenApiDocument {
  const document = buildOpenApiDocument({
    title: 'Portcullis items API',
    version: ITEMS_API_VERSION,
    description: [
      'The example API protected by @portcullis/guard: every route states the scope and the permission or',
      'role it needs, and items belong to the subject that created them. Tokens are validated offline',
      '(signature, type, issuer, audience, expiry, age) and checked against revocations: a token revoked at the',
      'auth server (itself, its grant, user, client or signing key) is refused with 401 within about a second.',
      'When the revocation list cannot be kept current, secured routes answer 503 with `Retry-After` rather than',
      'risk accepting a revoked token. Errors are RFC 9457 problem details; refusals by the guard add the',
      'RFC 6750 `error` code and a `WWW-Authenticate` challenge.',
      '',
      `Get a token from ${config.issuer} for \`resource=${config.audience}\` (its \`aud\`): "Authorize" with a`,
      'client (client_credentials) or a user of a first-party client (password), or paste one under `bearerAuth`.',
    ].join('\n'),
    authorization: {
      issuer: config.issuer,
      scopes: SCOPES,
      flows: ['clientCredentials', 'password'],
      description: `Tokens must be audienced to \`${config.audience}\`.`,
    },
    tags: [
      { name: 'items', description: 'Items, owned by whoever created them' },
      { name: 'me', description: 'The caller, as the token says' },
    ],
    securedErrors: [401, 403, 503],
    operations: resourceServerOperations,
  });
  return config.apiKeys ? withApiKeyScheme(document) : document;
}

/**
 * The `apiKey` scheme (X-API-Key, issue 8) next to the bearer ones, offered on the operations that accept
 * it. A key meets the same requirement a token would: its scopes, roles and permissions were fixed when an
 * admin issued it.
 */
function withApiKeyScheme(document: OpenApiDocument): OpenApiDocument {
  document.components.securitySchemes.apiKey = {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'An API key issued by an admin of the auth server (`pcl_<id>_<secret>`), for machines. Accepted only by ' +
      'the operations that list this scheme, and never together with an access token (400).',
  };
  for (const entry of apiKeyOperations) {
    const [method, koaPath] = entry.split(' ') as [string, string];
    const operation = document.paths[openApiPath(koaPath)]?.[method] as { security?: unknown[] } | undefined;
    if (!operation?.security)
      throw new Error(`apiKeyOperations names ${entry}, which is not a secured operation`);
    operation.security.push({ apiKey: [] });
  }
  return document;
}
