import {
  createPrismaClient,
  deleteExpiredAccountTokens,
  deleteExpiredArtifacts,
  pingDatabase,
} from '@portcullis/db';
import { createRateLimiter, type RateLimitStoreChange } from '@portcullis/rate-limit';
import {
  closeRedisClient,
  createRedisClient,
  logRedisOutages,
  readEvictionPolicy,
  revocationRedisLayout,
} from '@portcullis/revocation';
import {
  allowedMethodsFor,
  corsAllowlist,
  createHealthRoutes,
  type Logger,
  type Metrics,
  problemResponses,
  type ReadinessCheck,
  requestContext,
  securityHeaders,
} from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import type Koa from 'koa';
import type { Provider } from 'oidc-provider';
import { createAccountGuard } from './account/account-guard.js';
import { createAccountRateLimits } from './account/account-rate-limits.js';
import { accountRouteMethods } from './account/account-route-methods.js';
import { createAccountRoutes } from './account/account-routes.js';
import { createAccountTokenCodec } from './account/account-token-codec.js';
import { createBackgroundMailer } from './account/background-mailer.js';
import { createAdminApi } from './admin/create-admin-api.js';
import { createApiKeyPublisher } from './api-keys/api-key-publisher.js';
import { createApiKeyRecordSigner } from './api-keys/api-key-record-signer.js';
import { type ApiKeyRepublisher, createApiKeyRepublisher } from './api-keys/api-key-republisher.js';
import { revokingOwnerApiKeys } from './api-keys/revoke-owner-api-keys.js';
import { createAuditRecorder } from './audit/audit-recorder.js';
import { type AuthServerConfig, longestAccessTokenLifetime } from './config.js';
import { createUserAuthenticator } from './credentials/authenticate-user.js';
import { limitHashConcurrency } from './credentials/limit-hash-concurrency.js';
import { createLoginLockout } from './credentials/login-lockout.js';
import { createPasswordHasher } from './credentials/password-hasher.js';
import { createThrottledAuthenticator } from './credentials/throttled-authenticator.js';
import { createEmailTransport } from './email/create-email-transport.js';
import type { EmailTransport } from './email/email-transport.js';
import { deleteExpiredOutboxEmails } from './email/outbox-email-transport.js';
import { issuerOriginPinned } from './http/issuer-origin-pinned.js';
import { providerCorsRemoved } from './http/provider-cors-removed.js';
import { oauthMetadataAlias } from './http/public-middleware.js';
import { publicRouteMethods } from './http/public-route-methods.js';
import { createTokenEndpointBodyGuard } from './http/token-endpoint-body-guard.js';
import { createTokenEndpointHeaderGuard } from './http/token-endpoint-header-guard.js';
import { createTokenEndpointQueryGuard } from './http/token-endpoint-query-guard.js';
import { type KeyRing, loadKeyRing } from './keys/signing-key-ring.js';
import { createAuthServerMetrics } from './metrics/auth-server-metrics.js';
import { countProviderGrants } from './metrics/count-provider-grants.js';
import { countRateLimitRejections } from './metrics/count-rate-limit-rejections.js';
import { countRevocations } from './metrics/count-revocations.js';
import { createAuthorizationCache } from './oidc/authorization-cache.js';
import {
  type AnnounceAuthorizationChange,
  authorizationChangeChannel,
  createAuthorizationCacheInvalidation,
} from './oidc/authorization-cache-invalidation.js';
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
  /** Waits for the account emails handed to the background sender so far (tests check what was not sent). */
  flushAccountMail(): Promise<void>;
  /** The shared Redis connection (fail-fast client); undefined in development without REDIS_URL. */
  redis?: Redis;
  /** Keeps Redis holding every revocation in force; undefined without Redis. */
  revocationReseeder?: RevocationReseeder;
  /** This instance's metrics (one registry for the public and admin apps), for the metrics listener. */
  metrics: Metrics;
  /**
   * Clears every instance's authorization caches, as the admin API does after a change; for a change made
   * behind its back (tests, provisioning scripts).
   */
  announceAuthorizationChange: AnnounceAuthorizationChange;
  /** Keeps API key records in Redis signed and current (api-keys/*); undefined without Redis. */
  apiKeyRecords?: ApiKeyRepublisher;
  /** How account mail leaves (EMAIL_TRANSPORT): created once, closed by close(). */
  emailTransport: EmailTransport;
  close(): Promise<void>;
}

const ARTIFACT_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
/** Two passwords of up to 1 KiB of UTF-8 each, JSON-escaped, and the rest of an account request. */
const ACCOUNT_MAX_BODY_BYTES = 8 * 1024;

/** The composition root (STYLE.md §1): the one place that creates the PrismaClient and the Provider. */
export async function createContainer(config: AuthServerConfig, logger: Logger): Promise<Container> {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl, ...config.databaseTimeouts });
  // Auto-pipelining: the EVALSHAs of concurrent token requests leave in one write (-13 µs of CPU per token
  // request at 32 concurrent requests, measured; issue 7). Order per connection is kept; MULTI is not batched.
  const redis = config.redis
    ? createRedisClient(config.redis.url, { redisOptions: { enableAutoPipelining: true } })
    : undefined;
  // A subscribed connection can run nothing else: the authorization-change channel gets its own.
  const subscriber = config.redis ? createRedisClient(config.redis.url) : undefined;
  let reseeder: RevocationReseeder | undefined;
  let emailTransport: EmailTransport | undefined;
  /** Waits for account mail handed to the transport, so it is not closed under a message. */
  let stopAccountMail = async () => {};
  let apiKeyRecords: ApiKeyRepublisher | undefined;
  try {
    emailTransport = createEmailTransport(config.email, { prisma, logger });
    const appMetrics = createAuthServerMetrics();
    const auditDropped = appMetrics.metrics.counter({
      name: 'audit_events_dropped_total',
      help: 'Audit events dropped because the write buffer was full (PostgreSQL not taking writes).',
    });
    const audit = createAuditRecorder(prisma, logger, {
      onEvent: appMetrics.auditEvent,
      onDropped: (count) => auditDropped.inc({}, count),
    });
    const authorizationCache = createAuthorizationCache(prisma, config.authorizationCache);
    if (subscriber) logRedisOutages(subscriber, logger, 'redis-subscriber');
    const cacheInvalidation = createAuthorizationCacheInvalidation({
      cache: authorizationCache,
      logger,
      redis,
      subscriber,
      channel: authorizationChangeChannel(config.redis?.keyPrefix ?? 'portcullis:'),
    });
    cacheInvalidation.start();
    // Every argon2 operation (login, decoy, rehash, admin) goes through the cap (issue 6).
    const hasher = limitHashConcurrency(await createPasswordHasher(config.argon2), {
      ...config.passwordHashing,
      onRefusals: (refused) =>
        logger.warn({ refused, ...config.passwordHashing }, 'password hashing saturated: requests refused'),
    });
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
      perIpLimiter: countRateLimitRejections(
        createRateLimiter({
          redis,
          keyPrefix: rateLimitPrefix,
          name: 'password-ip',
          points: config.rateLimits.passwordPerIp,
          durationSeconds: 60,
          onStoreChange,
        }),
        appMetrics.rateLimited,
      ),
    });
    // Created once, outside buildProvider: a key rotation rebuilds the provider but must not reset counters.
    const tokenEndpointRateLimit = createTokenEndpointRateLimit({
      redis,
      keyPrefix: rateLimitPrefix,
      perIpPerMinute: config.rateLimits.tokenPerIp,
      perClientPerMinute: config.rateLimits.tokenPerClient,
      onStoreChange,
      onRejected: appMetrics.rateLimited,
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
      void warnIfRedisMayEvict(redis, logger);
    } else {
      logger.warn(
        'REDIS_URL is not set (development mode): revocations are recorded in PostgreSQL only and NOT enforced by resource servers',
      );
    }
    broadcaster = countRevocations(broadcaster, appMetrics.revoked);
    // API keys (issue 8): signed records published through Redis, next to the revocations.
    const apiKeyRecordsPublished = appMetrics.metrics.counter({
      name: 'api_key_records_published_total',
      help: 'API key records signed and published to Redis (issued, rotated or re-signed).',
    });
    const apiKeyPublisher =
      config.redis && redis
        ? createApiKeyPublisher({
            redis,
            keyPrefix: config.redis.keyPrefix,
            // Signs only once the provider host below exists (the first publish is after start-up).
            sign: createApiKeyRecordSigner({
              issuer: config.issuer,
              keyRing: () => providerHost.keyRing(),
              recordLifetimeSeconds: longestAccessTokenLifetime(config),
            }),
            onPublished: (count) => apiKeyRecordsPublished.inc({}, count),
          })
        : undefined;
    const apiKeyServices = {
      hashKey: config.apiKeyHashKey,
      publisher: apiKeyPublisher,
      onPublishFailed: () => apiKeyRecords?.markDirty(),
      logger,
    };
    // A user or client revocation (disable, delete, revoke-all, password reset) also revokes its API keys.
    broadcaster = revokingOwnerApiKeys(broadcaster, {
      ...apiKeyServices,
      prisma,
      revocation: {
        prisma,
        issuer: config.issuer,
        longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
        broadcaster,
      },
    });
    // Self-service accounts (issue 8) on the public listener; created once, like the token-endpoint limits.
    const accountMailer = createBackgroundMailer(emailTransport, logger);
    stopAccountMail = () => accountMailer.idle();
    const accountRoutes = createAccountRoutes({
      account: {
        prisma,
        hasher,
        authenticate,
        lockout,
        audit: audit.record,
        sendMail: accountMailer.send,
        tokens: createAccountTokenCodec(config.clientSecretPepper),
        links: { linkBaseUrl: config.account.linkBaseUrl, issuer: config.issuer },
        revocation: {
          prisma,
          issuer: config.issuer,
          longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
          broadcaster,
        },
        verificationTtlSeconds: config.account.verificationTtlSeconds,
        resetTtlSeconds: config.account.resetTtlSeconds,
      },
      features: config.account,
      limits: createAccountRateLimits({
        redis,
        keyPrefix: rateLimitPrefix,
        perIpPerMinute: config.account.perIpPerMinute,
        perEmailPerHour: config.account.perEmailPerHour,
        secret: config.clientSecretPepper,
        onStoreChange,
        onRejected: appMetrics.rateLimited,
      }),
      guard: createAccountGuard({
        config,
        prisma,
        logger,
        publicKeys: () => providerHost.keyRing().privateJwks,
      }),
      maxBodyBytes: ACCOUNT_MAX_BODY_BYTES,
    });
    const healthRoutes = createHealthRoutes(readiness);
    // Token, revocation, introspection, JWKS and discovery from the allowed browser origins (CORS_ORIGINS).
    const publicCors = corsAllowlist({
      origins: config.corsOrigins,
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Authorization', 'Content-Type'],
    });
    appMetrics.metrics.trackDependencies(readiness);
    const keyRingOptions = {
      keyEncryptionKey: config.keyEncryptionKey,
      signingAlg: config.signingAlg,
      longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
    };

    const buildProvider = (keyRing: KeyRing): Provider => {
      const provider = createProvider(config, {
        prisma,
        keyRing,
        authorizations: authorizationCache,
        authenticate,
        audit: audit.record,
        logger,
        broadcaster,
      });
      countProviderGrants(provider, appMetrics);
      // Our pipeline, outermost first, in front of oidc-provider's own routes.
      provider.middleware.unshift(
        appMetrics.metrics.httpMiddleware,
        issuerOriginPinned(config.issuer, config.trustProxy),
        requestContext(logger),
        securityHeaders,
        publicCors,
        providerCorsRemoved,
        problemResponses(logger),
        allowedMethodsFor({ ...publicRouteMethods(provider), ...accountRouteMethods(config.account) }),
        healthRoutes,
        accountRoutes,
        tokenEndpointRateLimit,
        createTokenEndpointHeaderGuard(),
        createTokenEndpointQueryGuard(),
        createTokenEndpointBodyGuard(),
        oauthMetadataAlias,
        enabledMetadataOnly,
      );
      return provider;
    };
    const providerHost = await createProviderHost(() => loadKeyRing(prisma, keyRingOptions), buildProvider);
    logger.info({ kid: providerHost.keyRing().signingKid }, 'signing key loaded');
    // JWKS state: the key that signs is among the published ones (the health routes read checks per request).
    readiness.jwks = () => {
      const ring = providerHost.keyRing();
      return ring.privateJwks.some((jwk) => jwk.kid === ring.signingKid);
    };
    if (config.redis && redis && apiKeyPublisher) {
      apiKeyRecords = createApiKeyRepublisher({
        prisma,
        redis,
        publisher: apiKeyPublisher,
        keyPrefix: config.redis.keyPrefix,
        signingKid: () => providerHost.keyRing().signingKid,
        recordLifetimeSeconds: longestAccessTokenLifetime(config),
        logger,
      });
      // In the background: with Redis down it logs and retries, never failing start-up.
      apiKeyRecords.start();
    }
    const republishingApiKeys = apiKeyRecords;
    /** Also narrows API key records to the owners' authority now, before an admin change is answered. */
    const announceAuthorizationChange: AnnounceAuthorizationChange = async (change) => {
      await cacheInvalidation.announce(change);
      await republishingApiKeys?.refreshNow();
    };

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
      deleteExpiredAccountTokens(prisma).catch((error: unknown) =>
        logger.warn({ err: error }, 'account token cleanup failed'),
      );
      // Also with SMTP: rows left from a development run with this database go too.
      deleteExpiredOutboxEmails(prisma).catch((error: unknown) =>
        logger.warn({ err: error }, 'email outbox cleanup failed'),
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
      announceAuthorizationChange,
      apiKeys: apiKeyServices,
    });
    // Outermost on the admin app too (createAdminApi does not take createJsonApi's `metrics` option).
    adminApp.middleware.unshift(appMetrics.metrics.httpMiddleware);

    return {
      providerHost,
      adminApp,
      metrics: appMetrics.metrics,
      flushAudit: () => audit.flush(),
      flushAccountMail: () => accountMailer.idle(),
      announceAuthorizationChange,
      apiKeyRecords,
      redis,
      revocationReseeder: reseeder,
      emailTransport,
      async close() {
        clearInterval(keyReload);
        clearInterval(cleanup);
        await apiKeyRecords?.stop();
        await reseeder?.stop();
        await cacheInvalidation.stop();
        await audit.close();
        await stopAccountMail();
        await emailTransport?.close();
        await Promise.all([redis && closeRedisClient(redis), subscriber && closeRedisClient(subscriber)]);
        await prisma.$disconnect();
      },
    };
  } catch (error) {
    await apiKeyRecords?.stop();
    await reseeder?.stop();
    await emailTransport?.close();
    if (redis) await closeRedisClient(redis);
    if (subscriber) await closeRedisClient(subscriber);
    await prisma.$disconnect();
    throw error;
  }
}

/** Checked once at start: an evicting Redis may drop revocations silently (README "Operating it"). */
async function warnIfRedisMayEvict(redis: Redis, logger: Logger): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy !== undefined && policy !== 'noeviction') {
    logger.warn(
      { maxmemoryPolicy: policy },
      'Redis may evict keys under memory pressure: set maxmemory-policy noeviction, or revocations can be lost until the next resync',
    );
  }
}
