import type { ApiKeyRecordMirror } from '@portcullis/api-keys';
import { createPrismaClient, pingDatabase } from '@portcullis/db';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type GuardState } from '@portcullis/guard/koa';
import {
  closeRedisClient,
  createRedisClient,
  createRevocationMirror,
  logRedisOutages,
  type RevocationMirror,
  revocationRedisLayout,
} from '@portcullis/revocation';
import {
  createApiDocsRoutes,
  createJsonApi,
  type Logger,
  type Metrics,
  type ReadinessCheck,
} from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import type Koa from 'koa';
import { type ApiKeys, startApiKeys } from './api-keys/start-api-keys.js';
import type { ResourceServerConfig } from './config.js';
import { createMeRoute } from './http/me-route.js';
import { createSubjectRateLimit, withSubjectRateLimit } from './http/subject-rate-limit.js';
import { createItemRoutes } from './items/item-routes.js';
import { createResourceServerMetrics } from './metrics/resource-server-metrics.js';
import { createResourceServerOpenApiDocument } from './resource-server-openapi.js';
import {
  keepRevocationMirrorStarted,
  type RevocationMirrorStarter,
} from './revocations/keep-revocation-mirror-started.js';
import { toMirrorLogger } from './revocations/mirror-logger.js';

export interface Container {
  app: Koa;
  /** The command connection (fail-fast client); undefined in development without REDIS_URL. */
  redis?: Redis;
  /** The in-memory revocation set every token is checked against; undefined without Redis. */
  revocationMirror?: RevocationMirror;
  /** The API key records X-API-Key is checked against; undefined when API keys are off. */
  apiKeyMirror?: ApiKeyRecordMirror;
  /** This instance's metrics, for the metrics listener. */
  metrics: Metrics;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  /** Clock in epoch ms for token, JWKS-cache and revocation-mirror checks; tests move time with it. */
  now?: () => number;
}

/** How long start-up waits for the first mirror sync before serving anyway (fail closed: 503). */
const MIRROR_START_TIMEOUT_MS = 3000;
/** Pause between attempts to start a mirror that could not sync (Redis down, or not reseeded yet). */
const MIRROR_RETRY_INTERVAL_MS = 1000;

/** The composition root (STYLE.md §1): the one place that creates the PrismaClient and the verifier. */
export async function createContainer(
  config: ResourceServerConfig,
  logger: Logger,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl, ...config.databaseTimeouts });
  const revocations = config.redis
    ? startRevocations(config.redis, config.revocation, logger, overrides.now)
    : undefined;
  if (revocations) {
    await within(revocations.starter.firstAttempt, MIRROR_START_TIMEOUT_MS);
  } else {
    logger.warn(
      'REDIS_URL is not set (development mode): revocations are NOT enforced; a revoked token is accepted until it expires',
    );
  }
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: config.jwksUri,
    algorithms: config.tokenAlgorithms,
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxTokenAgeSeconds: config.maxTokenAgeSeconds,
    maxTokenBytes: config.maxTokenBytes,
    verifiedTokenCache:
      config.verifiedTokenCacheEntries === 0 ? false : { maxEntries: config.verifiedTokenCacheEntries },
    jwks: config.jwks,
    now: overrides.now,
    revocation: revocations?.mirror,
  });
  // Warm the key cache, but start anyway when the auth server is not up yet: the guard answers 503 until
  // it is, and catches up on first use.
  await verifier.keys
    .refresh()
    .catch((error: unknown) => logger.warn({ err: error }, 'signing keys not loaded yet; will retry on use'));
  // Config allows API keys only with Redis: records and their revocations both come through it.
  const apiKeys: ApiKeys | undefined =
    config.apiKeys && revocations
      ? startApiKeys({
          redis: revocations.redis,
          subscriber: revocations.subscriber,
          keyPrefix: revocations.keyPrefix,
          hashKey: config.apiKeys.hashKey,
          verifier,
          algorithms: config.tokenAlgorithms,
          issuer: config.issuer,
          audience: config.audience,
          revocation: revocations.mirror,
          reloadIntervalMs: config.revocation.reconcileIntervalSeconds * 1000,
          logger,
          now: overrides.now,
        })
      : undefined;
  if (apiKeys) await within(apiKeys.firstLoad, MIRROR_START_TIMEOUT_MS);

  const appMetrics = createResourceServerMetrics();
  const authenticatingGuard = createKoaGuard({
    verifier,
    realm: 'portcullis-items',
    apiKeys: apiKeys?.verifier,
    onRefused: (error, ctx) => {
      appMetrics.tokenRefused(error);
      const { code, reason } = error as { code?: string; reason?: string };
      logger.info({ code, reason, path: ctx.path, method: ctx.method }, 'request refused');
    },
  });
  // Every protected route: the guard, then the per-subject limit (shared through Redis, per instance without).
  const guard = withSubjectRateLimit(
    authenticatingGuard,
    createSubjectRateLimit({
      redis: revocations?.redis,
      keyPrefix: `${config.redis?.keyPrefix ?? 'portcullis:'}rate-limit:`,
      perMinute: config.rateLimits.perSubject,
      routes: config.rateLimits.routes,
      onRejected: appMetrics.rateLimited,
      onStoreChange: (change) =>
        change.store === 'memory'
          ? logger.warn({ err: change.error }, 'rate limits counted per instance: Redis unavailable')
          : logger.info('rate limits shared through Redis again'),
    }),
  );
  const readiness: Record<string, ReadinessCheck> = {
    postgres: () => pingDatabase(prisma),
    jwks: () => {
      const { state, keyIds } = verifier.keys.status();
      return (state === 'fresh' || state === 'stale') && keyIds.length > 0;
    },
  };
  // Fresh: in sync with Redis, or within the staleness window; otherwise protected routes answer 503.
  if (revocations) readiness.revocations = () => revocations.mirror.status().fresh;
  if (apiKeys) readiness.apiKeys = () => apiKeys.mirror.status().loaded;
  const acceptApiKeys = apiKeys !== undefined;
  appMetrics.watch({ readiness, redis: revocations?.redis, mirror: revocations?.mirror });
  const app = createJsonApi<GuardState>({
    logger,
    trustProxy: config.trustProxy,
    proxyHops: config.trustProxyHops,
    corsOrigins: config.corsOrigins,
    readiness,
    metrics: appMetrics.metrics,
    routers: [
      createMeRoute(guard, { acceptApiKeys }),
      createItemRoutes({ guard, prisma, maxBodyBytes: config.maxBodyBytes, acceptApiKeys }),
      // No token needed: it documents the API and exposes no data.
      createApiDocsRoutes({
        document: createResourceServerOpenApiDocument(config),
        title: 'Portcullis items API',
      }),
    ],
  });
  return {
    app,
    redis: revocations?.redis,
    revocationMirror: revocations?.mirror,
    apiKeyMirror: apiKeys?.mirror,
    metrics: appMetrics.metrics,
    async close() {
      await apiKeys?.close();
      await revocations?.close();
      await prisma.$disconnect();
    },
  };
}

interface Revocations {
  redis: Redis;
  /** The subscribed connection; the API key mirror listens on it too. */
  subscriber: Redis;
  keyPrefix: string;
  mirror: RevocationMirror;
  starter: RevocationMirrorStarter;
  close(): Promise<void>;
}

/**
 * The mirror (DESIGN.md "Revocation") on two connections (a subscribed connection can run nothing else),
 * started in the background: Redis being down at boot must not stop the server, which then fails closed.
 */
function startRevocations(
  redisConfig: NonNullable<ResourceServerConfig['redis']>,
  settings: ResourceServerConfig['revocation'],
  logger: Logger,
  now: (() => number) | undefined,
): Revocations {
  const redis = createRedisClient(redisConfig.url);
  const subscriber = createRedisClient(redisConfig.url);
  logRedisOutages(redis, logger, 'redis');
  logRedisOutages(subscriber, logger, 'redis-subscriber');
  const mirror = createRevocationMirror({
    redis,
    subscriber,
    ...revocationRedisLayout(redisConfig.keyPrefix),
    reconcileIntervalMs: settings.reconcileIntervalSeconds * 1000,
    maxStalenessMs: settings.maxStalenessSeconds * 1000,
    now,
    logger: toMirrorLogger(logger),
  });
  const starter = keepRevocationMirrorStarted(mirror, {
    logger,
    retryIntervalMs: Math.min(MIRROR_RETRY_INTERVAL_MS, settings.reconcileIntervalSeconds * 1000),
  });
  return {
    redis,
    subscriber,
    keyPrefix: redisConfig.keyPrefix,
    mirror,
    starter,
    async close() {
      await starter.stop();
      await Promise.all([closeRedisClient(subscriber), closeRedisClient(redis)]);
    },
  };
}

/** Waits for the promise at most `ms`; it keeps running after. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
