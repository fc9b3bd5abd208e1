import { createPrismaClient, pingDatabase } from '@portcullis/db';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type GuardState } from '@portcullis/guard/koa';
import { createApiDocsRoutes, createJsonApi, type Logger } from '@portcullis/service-kit';
import type Koa from 'koa';
import type { ResourceServerConfig } from './config.js';
import { createMeRoute } from './http/me-route.js';
import { createItemRoutes } from './items/item-routes.js';
import { createResourceServerOpenApiDocument } from './resource-server-openapi.js';

export interface Container {
  app: Koa;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  /** Clock in epoch milliseconds for token and JWKS-cache checks; tests move time with it. */
  now?: () => number;
}

/** The composition root (STYLE.md §1): the one place that creates the PrismaClient and the verifier. */
export async function createContainer(
  config: ResourceServerConfig,
  logger: Logger,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: config.jwksUri,
    algorithms: config.tokenAlgorithms,
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxTokenAgeSeconds: config.maxTokenAgeSeconds,
    maxTokenBytes: config.maxTokenBytes,
    jwks: config.jwks,
    now: overrides.now,
  });
  // Warm the key cache, but start anyway when the auth server is not up yet: the guard answers 503 until
  // it is, and catches up on first use.
  await verifier.keys
    .refresh()
    .catch((error: unknown) => logger.warn({ err: error }, 'signing keys not loaded yet; will retry on use'));

  const guard = createKoaGuard({
    verifier,
    realm: 'portcullis-items',
    onRefused: (error, ctx) => {
      const { code, reason } = error as { code?: string; reason?: string };
      logger.info({ code, reason, path: ctx.path, method: ctx.method }, 'request refused');
    },
  });
  const app = createJsonApi<GuardState>({
    logger,
    trustProxy: config.trustProxy,
    readiness: {
      postgres: () => pingDatabase(prisma),
      jwks: () => {
        const { state, keyIds } = verifier.keys.status();
        return (state === 'fresh' || state === 'stale') && keyIds.length > 0;
      },
    },
    routers: [
      createMeRoute(guard),
      createItemRoutes({ guard, prisma, maxBodyBytes: config.maxBodyBytes }),
      // No token needed: it documents the API and exposes no data.
      createApiDocsRoutes({
        document: createResourceServerOpenApiDocument(config),
        title: 'Portcullis items API',
      }),
    ],
  });
  return {
    app,
    async close() {
      await prisma.$disconnect();
    },
  };
}
