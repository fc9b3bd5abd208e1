import { z } from 'zod';
import { permissionName, roleName } from './role-schemas.js';

/**
 * Request and response shapes of the API keys resource (issue 8). Which scopes, roles and permissions a
 * key may carry depends on the configuration and on its owner now: api-keys/api-key-grant-check.ts checks
 * that after these shapes pass. The CLI (apps/cli) is written against exactly these shapes.
 */

const distinct = <T extends z.ZodType<string>>(item: T, what: string, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((values) => new Set(values).size === values.length, `must not repeat a ${what}`);

/** RFC 6749 §3.3 scope-token characters; whether the server knows the scope is the grant check's job. */
const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be a scope token (RFC 6749 §3.3)');
const clientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a client id');

export const apiKeyOwnerBody = z
  .union([
    z.strictObject({ user: z.uuid().describe('The user id') }),
    z.strictObject({ client: clientId.describe('The client id') }),
  ])
  .describe('Whose key it is: exactly one of `user` (a user id) or `client` (a client id)');

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('What it is for, e.g. "billing nightly export"'),
  owner: apiKeyOwnerBody,
  resource: z.url().optional().describe('The API (audience) the key is for; default DEFAULT_RESOURCE'),
  scopes: distinct(scope, 'scope', 50).describe(
    'Among SCOPES (and, for a client, the scopes it may ask for)',
  ),
  roles: distinct(roleName, 'role', 50).optional().describe('Roles the owner holds; none carrying admin:*'),
  permissions: distinct(permissionName, 'permission', 200)
    .optional()
    .describe('Permissions the owner holds now; never admin:*'),
  expiresAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('ISO 8601, in the future; without it the key does not expire'),
});

export const rotateApiKeyBody = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .optional()
    .describe('How long the old key keeps working; 0 (default): revoked at once'),
});

export const API_KEY_STATUSES = ['active', 'revoked', 'expired'] as const;

export const listApiKeysQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
  user: z.uuid().optional().describe('Only keys of this user (id)'),
  client: clientId.optional().describe('Only keys of this client (id)'),
  status: z.enum(API_KEY_STATUSES).optional(),
});

/** What the admin API shows of a key: never the key (except once, below) and never its hash. */
export const apiKeyView = z.object({
  id: z.string().describe('The public id, the `<id>` in `pcl_<id>_<secret>`'),
  prefix: z.string().describe('`pcl_<id>`: how lists, logs and the audit log name the key'),
  name: z.string(),
  owner: z.union([
    z.object({ type: z.literal('user'), id: z.string(), username: z.string() }),
    z.object({ type: z.literal('client'), id: z.string() }),
  ]),
  resource: z.string(),
  scopes: z.array(z.string()),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  rotatedFromId: z.string().nullable().describe('The key this one replaced'),
  createdAt: z.iso.datetime(),
  status: z.enum(API_KEY_STATUSES),
});
export type ApiKeyViewBody = z.infer<typeof apiKeyView>;

export const apiKeyListView = z.object({
  apiKeys: z.array(apiKeyView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});

/** Shown once, at creation and at rotation: only its keyed hash is stored. */
export const issuedApiKeyView = apiKeyView.extend({
  key: z.string().describe('`pcl_<id>_<secret>`, sent as X-API-Key. Shown this once: store it now'),
});
