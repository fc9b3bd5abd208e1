import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { ACCOUNT_SCOPE, ADMIN_SCOPE, type AuthServerConfig } from '../config.js';
import { toSigningKeys } from '../keys/node-crypto-signing-key.js';
import type { KeyRing } from '../keys/signing-key-ring.js';
import { extraClientProperties } from './client-metadata.js';
import { defaultResourceFor } from './resource-servers.js';

type Features = {
  [Name in 'revocation' | 'introspection']-?: NonNullable<NonNullable<Configuration['features']>[Name]>;
};

export interface ProviderConfigurationDependencies {
  adapter: NonNullable<Configuration['adapter']>;
  keyRing: KeyRing;
  getResourceServerInfo: (ctx: KoaContextWithOIDC, resource: string) => Promise<Record<string, unknown>>;
  extraTokenClaims: (ctx: KoaContextWithOIDC, token: never) => Promise<Record<string, unknown> | undefined>;
  findActiveAccount: (accountId: string) => Promise<boolean>;
  /** RFC 7009 for stored tokens: who may revoke what (revocation-allowed-policy.ts). */
  revocationAllowedPolicy: Features['revocation']['allowedPolicy'];
  /** RFC 7662 for stored tokens: whether the answer may be active (introspection-allowed-policy.ts). */
  introspectionAllowedPolicy: Features['introspection']['allowedPolicy'];
  /** Called before oidc-provider deletes a grant; revokes it on refresh-token reuse (revoke-grant-policy.ts). */
  revokeGrantPolicy: (ctx: KoaContextWithOIDC) => Promise<boolean>;
}

/**
 * The oidc-provider configuration as a pure function of our config (STYLE.md §2). Everything not needed by
 * the three back-channel grants is off, so discovery lists exactly what is enabled.
 */
export function buildProviderConfiguration(
  config: AuthServerConfig,
  dependencies: ProviderConfigurationDependencies,
): Configuration {
  const { ttl } = config;
  return {
    adapter: dependencies.adapter,
    clients: [],
    // Synchronous node:crypto signers instead of jose's WebCrypto on the libuv pool (node-crypto-signing-key.ts).
    jwks: { keys: toSigningKeys(dependencies.keyRing.privateJwks) },
    // Resource scopes are listed here too: oidc-provider only enforces a client's allow-list for known scopes.
    scopes: ['offline_access', ADMIN_SCOPE, ACCOUNT_SCOPE, ...config.scopes],
    claims: { openid: ['sub'] },
    responseTypes: [],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      // With only EC/OKP keys, clients fail validation unless this matches the key's alg (STACK-NOTES).
      id_token_signed_response_alg: dependencies.keyRing.signingAlg as 'ES256',
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: { properties: extraClientProperties },
    features: {
      devInteractions: { enabled: false }, // on by default, and accepts any password
      // Experimental in oidc-provider 9: the ack pins the version we implemented against; an update that
      // changes the experiment refuses to start rather than sign differently.
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      // On by default; a DPoP-bound token would pass as a plain bearer token at a guard that checks no proof.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      // JWT access tokens are answered around oidc-provider (revoke-jwt-access-tokens.ts,
      // introspect-jwt-access-tokens.ts); these policies cover the tokens it stores.
      revocation: { enabled: true, allowedPolicy: dependencies.revocationAllowedPolicy },
      introspection: { enabled: true, allowedPolicy: dependencies.introspectionAllowedPolicy },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx) => defaultResourceFor(config, ctx.oidc.params?.scope),
        useGrantedResource: async () => true,
        getResourceServerInfo: dependencies.getResourceServerInfo as never,
      },
    },
    // CORS is the origin allowlist's alone (CORS_ORIGINS); http/provider-cors-removed.ts strips whatever
    // headers oidc-provider adds. Answering false here would make oidc-provider refuse the request itself
    // with "origin … not allowed for client: <id>" once the client is found but before its secret is
    // checked: that echoes the Origin and tells a known client id from an unknown one (an enumeration
    // oracle). A browser without CORS headers cannot read the answer anyway.
    clientBasedCORS: () => true,
    // JSON for every error oidc-provider renders itself (its default is an HTML page).
    renderError: async (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
    findAccount: async (_ctx, accountId) =>
      (await dependencies.findActiveAccount(accountId))
        ? { accountId, claims: async () => ({ sub: accountId }) }
        : undefined,
    extraTokenClaims: dependencies.extraTokenClaims as never,
    rotateRefreshToken: true,
    revokeGrantPolicy: dependencies.revokeGrantPolicy,
    ttl: {
      AccessToken: ttl.accessToken,
      ClientCredentials: ttl.clientCredentials,
      Grant: ttl.refreshTokenAbsolute,
      // Idle lifetime, capped by what is left of the absolute lifetime counted from the first issue (iiat).
      RefreshToken: (_ctx, token) => {
        const iiat = (token as { iiat?: number }).iiat ?? Math.floor(Date.now() / 1000);
        const age = Math.floor(Date.now() / 1000) - iiat;
        return Math.max(1, Math.min(ttl.refreshTokenIdle, ttl.refreshTokenAbsolute - age));
      },
    },
  };
}
