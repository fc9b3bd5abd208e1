import type { PublishableApiKey } from '@portcullis/db';
import { isAdminPermission } from '../admin/admin-permissions.js';

/** What a record states a key may do: never more than its owner holds at signing time. */
export interface ApiKeyAuthority {
  scopes: string[];
  roles: string[];
  permissions: string[];
}

/**
 * Narrows what the key names to what its owner holds now, as an access token would carry it (DESIGN
 * "Authorization model"): the key's roles the owner still has; the key's permissions, plus those its
 * still-held roles carry, that the owner still has (directly or through any role); for a client's key, the
 * scopes the client may still ask for. `admin:*` permissions never reach a record (the admin API is not an
 * API key's to call), even if one slipped into the row.
 *
 * @example
 * const { scopes, roles, permissions } = apiKeyAuthority(key);
 */
export function apiKeyAuthority(key: PublishableApiKey): ApiKeyAuthority {
  const ownerRoles = new Map(key.ownerRoles.map((role) => [role.name, role.permissions]));
  const ownerPermissions = new Set(key.ownerPermissions);
  for (const permissions of ownerRoles.values()) for (const name of permissions) ownerPermissions.add(name);

  const roles = [...new Set(key.roles)].filter((role) => ownerRoles.has(role)).sort();
  const named = new Set(key.permissions);
  for (const role of roles) for (const name of ownerRoles.get(role) ?? []) named.add(name);
  const permissions = [...named]
    .filter((name) => ownerPermissions.has(name) && !isAdminPermission(name))
    .sort();
  const allowedScopes = key.ownerScopes && new Set(key.ownerScopes);
  const scopes = [...new Set(key.scopes)].filter((scope) => !allowedScopes || allowedScopes.has(scope));
  return { scopes, roles, permissions };
}
