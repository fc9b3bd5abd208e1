import { createOidcAdapterClass, findActiveUser, findEnabledClient, type PrismaClient } from '@portcullis/db';
import { Provider } from 'oidc-provider';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { AuthServerConfig } from '../config.js';
import { clientSecretMatches } from '../credentials/client-secret.js';
import type { KeyRing } from '../keys/signing-key-ring.js';
import type { Logger } from '../logger.js';
import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';
import { toClientMetadata } from './client-metadata.js';
import { disallowedGrantAsUnauthorizedClient } from './disallowed-grant-as-unauthorized-client.js';
import {
  type Authenticate,
  createPasswordGrantHandler,
  passwordGrantParameters,
  passwordGrantType,
} from './password-grant.js';
import { buildProviderConfiguration } from './provider-configuration.js';
import { subscribeToProviderEvents } from './provider-events.js';
import { createResourceServerResolver, defaultResourceFor } from './resource-servers.js';
import { createTokenClaims } from './token-claims.js';

export interface ProviderDependencies {
  prisma: PrismaClient;
  keyRing: KeyRing;
  authenticate: Authenticate;
  audit: RecordAuditEvent;
  logger: Logger;
  /** Announces durable revocations (refresh-token reuse, RFC 7009) to every resource server. */
  broadcaster: RevocationBroadcaster;
}

/** One oidc-provider instance for one key ring; the provider host swaps instances when the ring changes. */
export function createProvider(config: AuthServerConfig, dependencies: ProviderDependencies): Provider {
  const { prisma, keyRing } = dependencies;
  const getResourceServerInfo = createResourceServerResolver({
    resources: config.resources,
    scopes: config.scopes,
    adminResource: config.admin.resource,
    signingAlg: keyRing.signingAlg,
    signingKid: keyRing.signingKid,
  });
  const adapter = createOidcAdapterClass(prisma, async (clientId: string) => {
    const client = await findEnabledClient(prisma, clientId);
    return client ? toClientMetadata(client) : undefined;
  });

  const provider = new Provider(
    config.issuer,
    buildProviderConfiguration(config, {
      adapter,
      keyRing,
      getResourceServerInfo,
      extraTokenClaims: createTokenClaims(prisma, config.admin.resource) as never,
      findActiveAccount: async (accountId) => (await findActiveUser(prisma, accountId)) !== null,
    }),
  );
  provider.proxy = config.trustProxy;

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
  provider.use(disallowedGrantAsUnauthorizedClient);
  subscribeToProviderEvents(provider, dependencies.audit, dependencies.logger);
  return provider;
}
