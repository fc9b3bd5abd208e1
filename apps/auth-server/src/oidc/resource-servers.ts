import { errors, type KoaContextWithOIDC } from 'oidc-provider';

export interface ResourceServerSettings {
  resources: string[];
  defaultResource: string;
  scopes: string[];
  signingAlg: string;
  signingKid: string;
}

/**
 * RFC 8707 resource indicators: every access token names one configured resource server as its audience
 * and is an RFC 9068 JWT signed with the key ring's current signing key (pinned by kid, so a pending key
 * can be published without signing).
 */
export function createResourceServerResolver(settings: ResourceServerSettings) {
  const known = new Set(settings.resources);
  const scope = settings.scopes.join(' ');
  return async function getResourceServerInfo(_ctx: KoaContextWithOIDC, resourceIndicator: string) {
    if (!known.has(resourceIndicator)) throw new errors.InvalidTarget('unknown resource indicator');
    return {
      scope,
      audience: resourceIndicator,
      accessTokenFormat: 'jwt' as const,
      jwt: { sign: { alg: settings.signingAlg, kid: settings.signingKid } },
    };
  };
}
