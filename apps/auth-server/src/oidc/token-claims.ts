import { isAdminPermission } from '../admin/admin-permissions.js';
import type { AuthorizationLookups } from './authorization-cache.js';

interface IssuedToken {
  kind: string;
  accountId?: string;
  clientId?: string;
  grantId?: string;
  /** The resource indicator the token is for (oidc-provider sets it before asking for claims). */
  aud?: string;
}

/**
 * Claims added to every JWT access token (DESIGN "Grants and tokens"): roles and permissions computed at
 * issue time — the user's for user tokens, the client's for client_credentials — and for user tokens the
 * grant id, so that revoking a grant reaches the access tokens issued under it.
 *
 * Permissions are cut to the audience: `admin:*` ones only in admin-API tokens, and only those there. An
 * items token of an admin then does not advertise what its holder may do to the auth server, and stays small.
 * The lookups are cached (authorization-cache.ts); admin changes clear the cache of every instance.
 */
export function createTokenClaims(
  lookups: Pick<AuthorizationLookups, 'clientAuthorizations' | 'userAuthorizations'>,
  adminResource: string,
) {
  const forAudience = <T extends { permissions: string[] }>(authorizations: T, audience?: string): T => {
    const admin = audience === adminResource;
    return {
      ...authorizations,
      permissions: authorizations.permissions.filter((permission) => isAdminPermission(permission) === admin),
    };
  };
  return async function extraTokenClaims(_ctx: unknown, token: IssuedToken) {
    if (token.kind === 'ClientCredentials' && token.clientId) {
      return forAudience(await lookups.clientAuthorizations(token.clientId), token.aud);
    }
    if (token.accountId) {
      return {
        ...forAudience(await lookups.userAuthorizations(token.accountId), token.aud),
        grant_id: token.grantId,
      };
    }
    return undefined;
  };
}
