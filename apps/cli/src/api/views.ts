import { z } from 'zod';

/**
 * The admin API's answers as the CLI reads them. Loose objects: a field the server adds later passes through
 * to --json untouched; a field the tables need and the server does not send is an "unexpected answer".
 */
const timestamp = z.string();
const names = z.array(z.string());

export const userView = z.looseObject({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  disabled: z.boolean(),
  roles: names,
  permissions: names,
  createdAt: timestamp,
  updatedAt: timestamp.optional(),
});
export type UserView = z.infer<typeof userView>;
export const userPage = z.looseObject({ users: z.array(userView), nextCursor: z.string().nullable() });

export const roleView = z.looseObject({
  name: z.string(),
  description: z.string().nullish(),
  permissions: names,
  createdAt: timestamp.optional(),
});
export type RoleView = z.infer<typeof roleView>;
export const roleList = z.looseObject({ roles: z.array(roleView) });

export const permissionView = z.looseObject({
  name: z.string(),
  description: z.string().nullish(),
  roles: names.optional(),
  createdAt: timestamp.optional(),
});
export type PermissionView = z.infer<typeof permissionView>;
export const permissionList = z.looseObject({ permissions: z.array(permissionView) });

export const clientView = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  grantTypes: names,
  scopes: names,
  tokenEndpointAuthMethod: z.string().nullish(),
  firstParty: z.boolean(),
  introspection: z.boolean().optional(),
  disabled: z.boolean(),
  roles: names,
  permissions: names,
  hasSecret: z.boolean().optional(),
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
});
export type ClientView = z.infer<typeof clientView>;
export const clientPage = z.looseObject({ clients: z.array(clientView), nextCursor: z.string().nullable() });
export const createdClient = clientView.extend({ clientSecret: z.string().min(1) });
export const rotatedSecret = z.looseObject({ clientId: z.string(), clientSecret: z.string().min(1) });

export const API_KEY_STATUSES = ['active', 'revoked', 'expired'] as const;
/** A user's key names its owner's username too (null if the server cannot tell); a client's only the id. */
const apiKeyOwner = z.union([
  z.looseObject({ type: z.literal('user'), id: z.string(), username: z.string().nullish() }),
  z.looseObject({ type: z.literal('client'), id: z.string() }),
]);
export const apiKeyView = z.looseObject({
  id: z.string(),
  prefix: z.string(),
  name: z.string(),
  owner: apiKeyOwner,
  resource: z.string().nullish(),
  scopes: names,
  roles: names,
  permissions: names,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  rotatedFromId: z.string().nullish(),
  createdAt: timestamp,
  status: z.string(),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;
export const apiKeyPage = z.looseObject({ apiKeys: z.array(apiKeyView), nextCursor: z.string().nullable() });
/** Creation and rotation answer with the whole key, once. */
export const issuedApiKey = apiKeyView.extend({ key: z.string().min(1) });

export const REVOCATION_KINDS = ['token', 'jti', 'grant', 'user', 'client', 'kid'] as const;
export const revocationView = z.looseObject({
  id: z.union([z.string(), z.number()]),
  kind: z.string(),
  value: z.string(),
  revokedAt: timestamp,
  expiresAt: timestamp.nullable(),
  reason: z.string().nullish(),
  actor: z.string().nullish(),
});
export type RevocationView = z.infer<typeof revocationView>;
export const revocationPage = z.looseObject({
  revocations: z.array(revocationView),
  nextCursor: z.string().nullable(),
});

export const keyView = z.looseObject({
  kid: z.string(),
  alg: z.string(),
  status: z.string(),
  activatesAt: timestamp,
  supersededAt: timestamp.nullable(),
  retiresAt: timestamp.nullable(),
});
export type KeyView = z.infer<typeof keyView>;
export const keyList = z.looseObject({ keys: z.array(keyView) });
export const rotatedKey = z.looseObject({ kid: z.string(), activatesAt: timestamp });

export const auditEventView = z.looseObject({
  id: z.string(),
  type: z.string(),
  occurredAt: timestamp,
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  clientId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEventView = z.infer<typeof auditEventView>;
export const auditPage = z.looseObject({
  events: z.array(auditEventView),
  nextCursor: z.string().nullable(),
});

/** 204 No Content, or any body a write may choose to return. */
export const anyAnswer = z.unknown();
