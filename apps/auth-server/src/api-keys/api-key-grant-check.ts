import {
  type ApiKeyOwnerRef,
  getClient,
  getClientAuthorizations,
  getRole,
  getUser,
  getUserAuthorizations,
  isUuid,
  type PrismaClient,
} from '@portcullis/db';
import { isAdminPermission } from '../admin/admin-permissions.js';
import {
  ApiKeyGrantInvalidError,
  ApiKeyOwnerDisabledError,
  ApiKeyOwnerNotFoundError,
} from './api-key-errors.js';

/** What a new key would carry. */
export interface ApiKeyGrant {
  owner: ApiKeyOwnerRef;
  resource: string;
  scopes: readonly string[];
  roles: readonly string[];
  permissions: readonly string[];
  expiresAt?: Date | undefined;
}

/** The server's side of the rule: its RESOURCES and SCOPES (neither ever names the admin API). */
export interface ApiKeyGrantLimits {
  resources: readonly string[];
  scopes: readonly string[];
}

/**
 * A key acts as its owner would with a token, never beyond: the owner must exist and be enabled; the
 * resource must be one of RESOURCES and the scopes among SCOPES (and, for a client, among the scopes the
 * client may ask for); every role must be one the owner holds and every permission one it holds now
 * (directly or through a role). No key carries admin powers (admin-escalation.ts): `admin:*` permissions
 * and roles carrying one are refused, and the admin API's resource and scope are never among RESOURCES
 * and SCOPES (config.ts checks that). An expiry must lie in the future.
 *
 * @throws {ApiKeyOwnerNotFoundError} unknown user or client.
 * @throws {ApiKeyOwnerDisabledError} a disabled owner.
 * @throws {ApiKeyGrantInvalidError} anything else, every issue listed.
 */
export async function checkApiKeyGrant(
  prisma: PrismaClient,
  grant: ApiKeyGrant,
  limits: ApiKeyGrantLimits,
  now: Date,
): Promise<void> {
  const ownerType = 'userId' in grant.owner ? 'user' : 'client';
  const owner =
    'userId' in grant.owner
      ? isUuid(grant.owner.userId)
        ? await getUser(prisma, grant.owner.userId)
        : null
      : await getClient(prisma, grant.owner.clientId);
  if (!owner) throw new ApiKeyOwnerNotFoundError(ownerType);
  if (owner.disabled) throw new ApiKeyOwnerDisabledError(ownerType);
  const held =
    'userId' in grant.owner
      ? await getUserAuthorizations(prisma, grant.owner.userId)
      : await getClientAuthorizations(prisma, grant.owner.clientId);
  const clientScopes = 'scopes' in owner ? new Set(owner.scopes) : undefined;

  const issues: string[] = [];
  if (!limits.resources.includes(grant.resource)) {
    issues.push(`resource: must be one of ${limits.resources.join(', ')}`);
  }
  for (const scope of grant.scopes) {
    if (!limits.scopes.includes(scope)) issues.push(`scopes: "${scope}" is not a scope of this server`);
    else if (clientScopes && !clientScopes.has(scope)) {
      issues.push(`scopes: the client may not ask for "${scope}"`);
    }
  }
  const heldRoles = new Set(held.roles);
  const heldPermissions = new Set(held.permissions);
  for (const role of grant.roles) {
    if (!heldRoles.has(role)) issues.push(`roles: the ${ownerType} does not hold "${role}"`);
    else if ((await getRole(prisma, role))?.permissions.some(isAdminPermission)) {
      issues.push(`roles: "${role}" carries admin permissions, which no API key may`);
    }
  }
  for (const permission of grant.permissions) {
    if (isAdminPermission(permission)) {
      issues.push(`permissions: "${permission}" is an admin permission, which no API key may carry`);
    } else if (!heldPermissions.has(permission)) {
      issues.push(`permissions: the ${ownerType} does not hold "${permission}"`);
    }
  }
  if (grant.expiresAt && grant.expiresAt <= now) issues.push('expiresAt: must be in the future');
  if (issues.length > 0) throw new ApiKeyGrantInvalidError(issues);
}
