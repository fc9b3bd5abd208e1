import { createOidcAdapterClass, findActiveUser, type PrismaClient } from '@portcullis/db';
import { Provider } from 'oidc-provider';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import { type AuthServerConfig, longestAccessTokenLifetime } from '../config.js';
import { clientSecretMatches } from '../credentials/client-secret.js';
import type { KeyRing } from '../keys/signing-key-ring.js';
import type { Logger } from '../logger.js';
import { introspectAccessToken } from '../revocations/introspect-access-token.js';
import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';
import { revokeClientAccessToken } from '../revocations/revoke-client-access-token.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import type { AuthorizationLookups } from './authorization-cache.js';
import { toClientMetadata } from './client-metadata.js';
import { disallowedGrantAsUnauthorizedClient } from './disallowed-grant-as-unauthorized-client.js';
import { createJwtAccessTokenIntrospection } from './introspect-jwt-access-tokens.js';
import { createIntrospectionAllowedPolicy } from './introspection-allowed-policy.js';
import { introspectionForAllowedClients } from './introspection-for-allowed-clients.js';
import { missingClientAuthenticationAsInvalidClient } from './missing-client-authentication-as-invalid-client.js';
import {
  type Authenticate,
  createPasswordGrantHandler,
  passwordGrantParameters,
  passwordGrantType,
} from './password-grant.js';
import { buildProviderConfiguration } from './provider-configuration.js';
import { subscribeToProviderEvents } from './provider-events.js';
import { createResourceServerResolver, defaultResourceFor } from './resource-servers.js';
import { createRevocationAllowedPolicy } from './revocation-allowed-policy.js';
import { createRevokeGrantPolicy } from './revoke-grant-policy.js';
import { createJwtAccessTokenRevocation } from './revoke-jwt-access-tokens.js';
import { createTokenClaims } from './token-claims.js';

export interface ProviderDependencies {
  prisma: PrismaClient;
  keyRing: KeyRing;
  /** Client records and roles/permissions, cached across requests and providers (authorization-cache.ts). */
  authorizations: AuthorizationLookups;
  authenticate: Authenticate;
  audit: RecordAuditEvent;
  logger: Logger;
  /** Announces durable revocations (refresh-token reuse, RFC 7009) to every resource server. */
  broadcaster: RevocationBroadcaster;
}

/** One oidc-provider instance for one key ring; the provider host swaps instances when the ring changes. */
export function createProvider(config: AuthServerConfig, dependencies: ProviderDependencies): Provider {
  const { prisma, keyRing, authorizations } = dependencies;
  const getResourceServerInfo = createResourceServerResolver({
    resources: config.resources,
    scopes: config.scopes,
    adminResource: config.admin.resource,
    accountResource: config.account.resource,
    signingAlg: keyRing.signingAlg,
    signingKid: keyRing.signingKid,
  });
  const adapter = createOidcAdapterClass(prisma, async (clientId: string) => {
    const client = await authorizations.findEnabledClient(clientId);
    return client ? toClientMetadata(client) : undefined;
  });
  // RFC 7009 revocations and refresh-token reuse go through the single write path, like the admin API's.
  const revocation: RevokeTokensDependencies = {
    prisma,
    issuer: config.issuer,
    longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
    broadcaster: dependencies.broadcaster,
  };

  const provider = new Provider(
    config.issuer,
    buildProviderConfiguration(config, {
      adapter,
      keyRing,
      getResourceServerInfo,
      extraTokenClaims: createTokenClaims(authorizations, config.admin.resource) as never,
      findActiveAccount: async (accountId) => (await findActiveUser(prisma, accountId)) !== null,
      revocationAllowedPolicy: createRevocationAllowedPolicy({ revocation, audit: dependencies.audit }),
      introspectionAllowedPolicy: createIntrospectionAllowedPolicy(prisma),
      revokeGrantPolicy: createRevokeGrantPolicy({ revocation, logger: dependencies.logger }),
    }),
  );
  provider.proxy = config.trustProxy;
  // Provider is a Koa app: ctx.ip is the X-Forwarded-For entry our one proxy appended, not the leftmost one,
  // which the caller writes (Koa's default maxIpsCount 0) and would pick its own rate-limit address with.
  provider.maxIpsCount = config.trustProxy ? config.trustProxyHops : 0;

  // Stored secrets are HMACs (credentials/client-secret.ts); oidc-provider awaits this comparison.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(presented: string) {
    return clientSecretMatches(presented, String(this.clientSecret), config.clientSecretPepper);
  };

  provider.registerGrantType(
    passwordGrantType,
    createPasswordGrantHandler({
      authenticate: dependencies.authenticate,
      defaultResource: (scope) => defaultResourceFor(config, scope),
      getResourceServerInfo,
    }),
    passwordGrantParameters,
  );
  // provider.use() inserts each middleware just in front of oidc-provider's router, so the last one is the
  // innermost: after the router, the introspection gate looks first, then the JWT answers.
  provider.use(disallowedGrantAsUnauthorizedClient);
  provider.use(missingClientAuthenticationAsInvalidClient);
  provider.use(
    createJwtAccessTokenRevocation({
      revoke: (request) => revokeClientAccessToken(revocation, request),
      audit: dependencies.audit,
    }),
  );
  provider.use(
    createJwtAccessTokenIntrospection((token) =>
      introspectAccessToken(prisma, token, { issuer: config.issuer, now: new Date() }),
    ),
  );
  provider.use(introspectionForAllowedClients);
  subscribeToProviderEvents(provider, dependencies.audit, dependencies.logger);
  return provider;
}
