import { createPrismaClient, deleteExpiredArtifacts, pingDatabase } from '@portcullis/db';
import { createHealthRoutes, type Logger, securityHeaders } from '@portcullis/service-kit';
import type Koa from 'koa';
import type { Provider } from 'oidc-provider';
import { createAdminApi } from './admin/create-admin-api.js';
import { createAuditRecorder } from './audit/audit-recorder.js';
import { type AuthServerConfig, longestAccessTokenLifetime } from './config.js';
import { createUserAuthenticator } from './credentials/authenticate-user.js';
import { createPasswordHasher } from './credentials/password-hasher.js';
import { notFoundAsProblem, oauthMetadataAlias } from './http/public-middleware.js';
import { type KeyRing, loadKeyRing } from './keys/signing-key-ring.js';
import { createProvider } from './oidc/create-provider.js';
import { enabledMetadataOnly } from './oidc/enabled-metadata-only.js';
import { createProviderHost, type ProviderHost } from './oidc/provider-host.js';
import { noRevocationBroadcast, type RevocationBroadcaster } from './revocations/revocation-broadcaster.js';

export interface Container {
  providerHost: ProviderHost;
  /** The admin listener's app (DESIGN.md "Shape"): never mounted on the public listener. */
  adminApp: Koa;
  /** Waits for queued audit writes (tests read the audit log right after a request). */
  flushAudit(): Promise<void>;
  close(): Promise<void>;
}

const ARTIFACT_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/** The composition root (STYLE.md §1): the one place that creates the PrismaClient and the Provider. */
export async function createContainer(config: AuthServerConfig, logger: Logger): Promise<Container> {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  try {
    const audit = createAuditRecorder(prisma, logger);
    const hasher = await createPasswordHasher(config.argon2);
    const authenticate = createUserAuthenticator(prisma, hasher, audit.record);
    // PostgreSQL alone holds revocations until the Redis fast path is configured.
    const broadcaster: RevocationBroadcaster = noRevocationBroadcast;
    const healthRoutes = createHealthRoutes({ postgres: () => pingDatabase(prisma) });
    const keyRingOptions = {
      keyEncryptionKey: config.keyEncryptionKey,
      signingAlg: config.signingAlg,
      longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
    };

    const buildProvider = (keyRing: KeyRing): Provider => {
      const provider = createProvider(config, {
        prisma,
        keyRing,
        authenticate,
        audit: audit.record,
        logger,
        broadcaster,
      });
      // Our pipeline, outermost first, in front of oidc-provider's own routes.
      provider.middleware.unshift(
        securityHeaders,
        notFoundAsProblem,
        healthRoutes,
        oauthMetadataAlias,
        enabledMetadataOnly,
      );
      return provider;
    };
    const providerHost = await createProviderHost(() => loadKeyRing(prisma, keyRingOptions), buildProvider);
    logger.info({ kid: providerHost.keyRing().signingKid }, 'signing key loaded');

    /** Never throws: a failed reload keeps the current keys, and the next interval tries again. */
    const reloadKeys = async (): Promise<void> => {
      try {
        if (await providerHost.reload()) {
          logger.info({ kid: providerHost.keyRing().signingKid }, 'signing keys changed');
        }
      } catch (error) {
        logger.error({ err: error }, 'signing key reload failed; keeping current keys');
      }
    };
    const keyReload = setInterval(() => void reloadKeys(), config.keyReloadIntervalSeconds * 1000).unref();
    const cleanup = setInterval(() => {
      deleteExpiredArtifacts(prisma).catch((error: unknown) =>
        logger.warn({ err: error }, 'artifact cleanup failed'),
      );
    }, ARTIFACT_CLEANUP_INTERVAL_MS).unref();

    const adminApp = createAdminApi({
      config,
      logger,
      prisma,
      audit: audit.write,
      keyRingOptions,
      hasher,
      publicKeys: () => providerHost.keyRing().privateJwks,
      reloadKeys,
      broadcaster,
    });

    return {
      providerHost,
      adminApp,
      flushAudit: () => audit.flush(),
      async close() {
        clearInterval(keyReload);
        clearInterval(cleanup);
        await audit.flush();
        await prisma.$disconnect();
      },
    };
  } catch (error) {
    await prisma.$disconnect();
    throw error;
  }
}
