import { USER_API_KEY_CLIENT_ID } from '@portcullis/api-keys';
import { z } from 'zod';
import { permissionNames, roleNames } from './role-schemas.js';

/**
 * Request and response shapes of the clients resource. Which combinations the server can actually serve
 * (password needs a first-party client, known scopes, ...) depends on the configuration and on the stored
 * client when patching: client-policy.ts checks that after these shapes pass.
 */

/** The grants Portcullis enables (DESIGN.md "Tokens"); there is no browser flow. */
export const GRANT_TYPES = ['password', 'client_credentials', 'refresh_token'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/**
 * A client_id travels in HTTP Basic credentials, form bodies, token claims and admin URLs: these characters
 * need escaping in none of them.
 */
const clientId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'must be 1-100 letters, digits or . _ -, starting with a letter or digit',
  )
  // Every user's API key carries it as client_id: revoking such a client would reach all of them.
  .refine(
    (id) => id !== USER_API_KEY_CLIENT_ID,
    `"${USER_API_KEY_CLIENT_ID}" is reserved for users' API keys`,
  );
const clientName = z.string().trim().min(1).max(200);
const grantTypes = z
  .array(z.enum(GRANT_TYPES))
  .min(1)
  .refine((values) => new Set(values).size === values.length, 'must not repeat a grant type');
/** RFC 6749 §3.3 scope-token characters; whether the server knows the scope is client-policy's check. */
const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be a scope token (RFC 6749 §3.3)');
const scopes = z
  .array(scope)
  .max(50)
  .refine((values) => new Set(values).size === values.length, 'must not repeat a scope');
const authMethod = z.enum(AUTH_METHODS);
const introspection = z
  .boolean()
  .describe('May call RFC 7662 token introspection (a resource server); needs a secret. Default false');

export const createClientBody = z.strictObject({
  id: clientId,
  name: clientName.optional().describe('Shown to admins; defaults to the id'),
  grantTypes,
  scopes,
  tokenEndpointAuthMethod: authMethod.optional(),
  firstParty: z.boolean().optional(),
  introspection: introspection.optional(),
  roles: roleNames.optional(),
  permissions: permissionNames.optional(),
});

export const updateClientBody = z
  .strictObject({
    name: clientName.optional(),
    grantTypes: grantTypes.optional(),
    scopes: scopes.optional(),
    tokenEndpointAuthMethod: authMethod.optional(),
    firstParty: z.boolean().optional(),
    introspection: introspection.optional(),
    disabled: z
      .boolean()
      .optional()
      .describe(
        'true refuses its token requests, deletes its grants and refresh tokens and revokes its tokens',
      ),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'give at least one field');

export const clientRolesBody = z.strictObject({ roles: roleNames });
export const clientPermissionsBody = z.strictObject({ permissions: permissionNames.min(1) });

export const listClientsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
  q: z.string().min(1).max(100).optional().describe('Case-insensitive substring of the id or the name'),
});

/** What the admin API shows of a client: never the secret or its hash, only whether there is one. */
export const clientView = z.object({
  id: z.string(),
  name: z.string(),
  grantTypes: z.array(z.string()),
  scopes: z.array(z.string()),
  tokenEndpointAuthMethod: z.string(),
  firstParty: z.boolean(),
  introspection: z.boolean().describe('May call RFC 7662 token introspection'),
  disabled: z.boolean(),
  roles: z.array(z.string()).describe('Sorted'),
  permissions: z.array(z.string()).describe('Granted directly, not through a role; sorted'),
  hasSecret: z
    .boolean()
    .describe('Only whether there is one: the secret is shown at creation and rotation only'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ClientView = z.infer<typeof clientView>;

export const clientListView = z.object({
  clients: z.array(clientView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});

/** Shown once, at creation and at rotation: only its HMAC is stored. */
const clientSecret = z.string().describe('Shown this once: store it now; only its HMAC is kept');
export const createdClientView = clientView.extend({ clientSecret });
export const rotatedSecretView = z.object({ clientId: z.string(), clientSecret });
