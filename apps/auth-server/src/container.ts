import { createPrismaClient, deleteExpiredArtifacts, pingDatabase } from '@portcullis/db';
import { createRateLimiter, type RateLimitStoreChange } from '@portcullis/rate-limit';
import {
  closeRedisClient,
  createRedisClient,
  logRedisOutages,
  revocationRedisLayout,
} from '@portcullis/revocation';
import {
  createHealthRoutes,
  type Logger,
  type ReadinessCheck,
  securityHeaders,
} from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import type Koa from 'koa';
import type { Provider } from 'oidc-provider';
import { createAdminApi } from './admin/create-admin-api.js';
import { createAuditRecorder } from './audit/audit-recorder.js';
import { type AuthServerConfig, longestAccessTokenLifetime } from './config.js';
import { createUserAuthenticator } from './credentials/authenticate-user.js';
import { createLoginLockout } from './credentials/login-lockout.js';
import { createPasswordHasher } from './credentials/password-hasher.js';
import { createThrottledAuthenticator } from './credentials/throttled-authenticator.js';
import { notFoundAsProblem, oauthMetadataAlias } from './http/public-middleware.js';
import { type KeyRing, loadKeyRing } from './keys/signing-key-ring.js';
import { createProvider } from './oidc/create-provider.js';
import { enabledMetadataOnly } from './oidc/enabled-metadata-only.js';
import { createProviderHost, type ProviderHost } from './oidc/provider-host.js';
import { createTokenEndpointRateLimit } from './rate-limits/token-endpoint-rate-limit.js';
import { createRedisRevocationBroadcaster } from './revocations/redis-revocation-broadcaster.js';
import { noRevocationBroadcast, type RevocationBroadcaster } from './revocations/revocation-broadcaster.js';
import { createRevocationReseeder, type RevocationReseeder } from './revocations/revocation-reseeder.js';

export interface Container {
  providerHost: ProviderHost;
  /** The admin listener's app (DESIGN.md "Shape"): never mounted on the public listener. */
  adminApp: Koa;
  /** Waits for queued audit writes (tests read the audit log right after a request). */
  flushAudit(): Promise<void>;
  /** The shared Redis connection (fail-fast client); undefined in development without REDIS_URL. */
  redis?: Redis;
  /** Keeps Redis holding every revocation in force; undefined without Redis. */
  revocationReseeder?: RevocationReseeder;
  close(): Promise<void>;
}

const ARTIFACT_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/** The composition root (STYLE.md §1): the one place that creates the PrismaClient and the Provider. */
export async function createContainer(config: AuthServerConfig, logger: Logger): Promise<Container> {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  const redis = config.redis ? createRedisClient(config.redis.url) : undefined;
  let reseeder: RevocationReseeder | undefined;
  try {
    const audit = createAuditRecorder(prisma, logger);
    const hasher = await createPasswordHasher(config.argon2);
    const rateLimitPrefix = `${config.redis?.keyPrefix ?? 'portcullis:'}rate-limit:`;
    const onStoreChange = (change: RateLimitStoreChange) =>
      change.store === 'memory'
        ? logger.warn({ err: change.error }, 'rate limits counted per instance: Redis unavailable')
        : logger.info('rate limits shared through Redis again');
    const lockout = createLoginLockout(prisma, {
      secret: config.clientSecretPepper,
      threshold: config.loginLockout.threshold,
      maxLockSeconds: config.loginLockout.maxSeconds,
    });
    const authenticate = createThrottledAuthenticator({
      authenticate: createUserAuthenticator(prisma, hasher, audit.record),
      lockout,
      audit: audit.record,
      perIpLimiter: createRateLimiter({
        redis,
        keyPrefix: rateLimitPrefix,
        name: 'password-ip',
        points: config.rateLimits.passwordPerIp,
        durationSeconds: 60,
        onStoreChange,
      }),
    });
    // Created once, outside buildProvider: a key rotation rebuilds the provider but must not reset counters.
    const tokenEndpointRateLimit = createTokenEndpointRateLimit({
      redis,
      keyPrefix: rateLimitPrefix,
      perIpPerMinute: config.rateLimits.tokenPerIp,
      perClientPerMinute: config.rateLimits.tokenPerClient,
      onStoreChange,
    });

    let broadcaster: RevocationBroadcaster = noRevocationBroadcast;
    const readiness: Record<string, ReadinessCheck> = { postgres: () => pingDatabase(prisma) };
    if (config.redis && redis) {
      logRedisOutages(redis, logger, 'redis');
      const layout = revocationRedisLayout(config.redis.keyPrefix);
      const activeReseeder = createRevocationReseeder({
        redis,
        prisma,
        layout,
        logger,
        resyncIntervalMs: config.revocation.resyncIntervalSeconds * 1000,
      });
      reseeder = activeReseeder;
      broadcaster = createRedisRevocationBroadcaster({
        redis,
        layout,
        logger,
        onMissed: () => activeReseeder.markDirty(),
      });
      readiness.redis = async () => (await redis.ping()) === 'PONG';
      // Bounded, and never fails start-up: with Redis down the reseeder keeps trying every second.
      await activeReseeder.start();
    } else {
      logger.warn(
        'REDIS_URL is not set (development mode): revocations are recorded in PostgreSQL only and NOT enforced by resource servers',
      );
    }
    const healthRoutes = createHealthRoutes(readiness);
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
        tokenEndpointRateLimit,
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
      lockout
        .deleteStale()
        .catch((error: unknown) => logger.warn({ err: error }, 'login throttle cleanup failed'));
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
      redis,
      revocationReseeder: reseeder,
      async close() {
        clearInterval(keyReload);
        clearInterval(cleanup);
        await reseeder?.stop();
        await audit.flush();
        if (redis) await closeRedisClient(redis);
        await prisma.$disconnect();
      },
    };
  } catch (error) {
    await reseeder?.stop();
    if (redis) await closeRedisClient(redis);
    await prisma.$disconnect();
    throw error;
  }
}
