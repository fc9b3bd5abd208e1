import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ACCOUNT_SCOPE, ADMIN_SCOPE } from '../config.js';

export interface ResourceServerSettings {
  resources: string[];
  scopes: string[];
  /** The admin API's audience: its tokens carry the `admin` scope and nothing else. */
  adminResource: string;
  /** The account API's audience: user tokens carrying the `account` scope (a user changing their password). */
  accountResource?: string | undefined;
  signingAlg: string;
  signingKid: string;
}

/**
 * RFC 8707 resource indicators: every access token names one configured resource server as its audience
 * and is an RFC 9068 JWT signed with the key ring's current signing key (pinned by kid, so a pending key
 * can be published without signing). Scopes are per audience, so an items token can never be an admin token
 * and an admin token is useless at the items API.
 */
export function createResourceServerResolver(settings: ResourceServerSettings) {
  const scopesByResource = new Map<string, string>(
    settings.resources.map((resource) => [resource, settings.scopes.join(' ')]),
  );
  scopesByResource.set(settings.adminResource, ADMIN_SCOPE);
  if (settings.accountResource) scopesByResource.set(settings.accountResource, ACCOUNT_SCOPE);
  return async function getResourceServerInfo(ctx: KoaContextWithOIDC, resourceIndicator: string) {
    const scope = scopesByResource.get(resourceIndicator);
    if (scope === undefined) throw new errors.InvalidTarget('unknown resource indicator');
    // The account API acts for the user who logged in: a service client's token has no account to act on.
    if (
      resourceIndicator === settings.accountResource &&
      ctx?.oidc?.params?.grant_type === 'client_credentials'
    ) {
      throw new errors.InvalidTarget('the account resource is only for user tokens');
    }
    return {
      scope,
      audience: resourceIndicator,
      accessTokenFormat: 'jwt' as const,
      jwt: { sign: { alg: settings.signingAlg, kid: settings.signingKid } },
    };
  };
}

/**
 * The audience of a token request that names no `resource`: `scope=admin` alone asks for the admin API (so
 * neither `portcullis login` nor Swagger UI's Authorize, which cannot send a resource, needs one); anything
 * else gets DEFAULT_RESOURCE. Shared by oidc-provider's grants and our password grant.
 */
export function defaultResourceFor(
  config: { defaultResource: string; admin: { resource: string }; account?: { resource: string } },
  scope: unknown,
): string {
  if (scope === ACCOUNT_SCOPE && config.account) return config.account.resource;
  return scope === ADMIN_SCOPE ? config.admin.resource : config.defaultResource;
}
