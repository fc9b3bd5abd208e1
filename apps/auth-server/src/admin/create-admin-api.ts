import { type PrismaClient, pingDatabase } from '@portcullis/db';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type GuardState } from '@portcullis/guard/koa';
import { createApiDocsRoutes, createJsonApi, type Logger } from '@portcullis/service-kit';
import type { JWK } from 'jose';
import type Koa from 'koa';
import type { ApiKeyServices } from '../api-keys/api-key-services.js';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { ADMIN_SCOPE, type AuthServerConfig } from '../config.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import type { KeyRingOptions } from '../keys/signing-key-ring.js';
import type { AnnounceAuthorizationChange } from '../oidc/authorization-cache-invalidation.js';
import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import { createAdminOpenApiDocument } from './admin-openapi.js';
import { createAdminRevocationCheck } from './admin-revocation-check.js';
import { createApiKeyRoutes } from './api-key-routes.js';
import { createAuditRoutes } from './audit-routes.js';
import { createClientRoutes } from './client-routes.js';
import { createInProcessJwksFetch } from './in-process-jwks.js';
import { createKeyRoutes } from './key-routes.js';
import { createPermissionRoutes } from './permission-routes.js';
import { createProtectedResourceMetadataRoutes } from './protected-resource-metadata.js';
import { createRevocationRoutes } from './revocation-routes.js';
import { createRoleRoutes } from './role-routes.js';
import { createUserRoutes } from './user-routes.js';

export interface AdminApiDependencies {
  config: AuthServerConfig;
  logger: Logger;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  keyRingOptions: KeyRingOptions;
  hasher: PasswordHasher;
  /** The current key ring's JWKs; public parts are taken from them. */
  publicKeys: () => readonly JWK[];
  /** Re-reads the key ring now (never throws), so a rotation or retirement shows in this instance's JWKS at once. */
  reloadKeys: () => Promise<void>;
  /** Announces durable revocations to every resource server (Redis), or nowhere without Redis. */
  broadcaster: RevocationBroadcaster;
  /** Clears every auth server's authorization caches after a change to a user, client, role or permission. */
  announceAuthorizationChange: AnnounceAuthorizationChange;
  /** Issuing, rotating and revoking API keys (api-keys/*), with their publisher when Redis is configured. */
  apiKeys: Omit<ApiKeyServices, 'prisma' | 'revocation'>;
}

const ADMIN_MAX_BODY_BYTES = 64 * 1024;
/** The key ring reloads every KEY_RELOAD_INTERVAL_SECONDS; the admin guard looks again as often. */
const JWKS_MAX_STALE_SECONDS = 24 * 3600;

/**
 * The admin API: its own Koa app for its own listener, protected by the same guard package every resource
 * server uses, with tokens audienced to ADMIN_RESOURCE and carrying the `admin` scope.
 */
export function createAdminApi(dependencies: AdminApiDependencies): Koa<GuardState> {
  const { config, logger, prisma, audit } = dependencies;
  const announceChange = dependencies.announceAuthorizationChange;
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.admin.resource,
    jwksUri: `${config.issuer}/jwks`,
    algorithms: [config.signingAlg],
    maxTokenAgeSeconds: Math.max(config.ttl.accessToken, config.ttl.clientCredentials),
    jwks: {
      refreshIntervalSeconds: config.keyReloadIntervalSeconds,
      maxStaleSeconds: Math.max(JWKS_MAX_STALE_SECONDS, config.keyReloadIntervalSeconds),
      unknownKidCooldownSeconds: 1,
    },
    fetch: createInProcessJwksFetch(dependencies.publicKeys),
    revocation: createAdminRevocationCheck(prisma),
  });
  const revocation: RevokeTokensDependencies = {
    prisma,
    issuer: config.issuer,
    longestTokenLifetimeSeconds: dependencies.keyRingOptions.longestTokenLifetimeSeconds,
    broadcaster: dependencies.broadcaster,
  };
  const guard = createKoaGuard({
    verifier,
    realm: 'portcullis-admin',
    onRefused: (error, ctx) => {
      const { code, reason } = error as { code?: string; reason?: string };
      logger.warn({ code, reason, path: ctx.path, method: ctx.method, ip: ctx.ip }, 'admin request refused');
    },
  });
  return createJsonApi<GuardState>({
    logger,
    trustProxy: config.trustProxy,
    proxyHops: config.trustProxyHops,
    noStore: true,
    readiness: { postgres: () => pingDatabase(prisma) },
    routers: [
      // No token needed: it documents the API and exposes no data.
      createApiDocsRoutes({ document: createAdminOpenApiDocument(config), title: 'Portcullis admin API' }),
      createProtectedResourceMetadataRoutes({
        resource: config.admin.resource,
        issuer: config.issuer,
        scope: ADMIN_SCOPE,
      }),
      createUserRoutes({
        guard,
        prisma,
        hasher: dependencies.hasher,
        audit,
        revocation,
        announceChange,
        maxBodyBytes: ADMIN_MAX_BODY_BYTES,
      }),
      createKeyRoutes({
        guard,
        prisma,
        audit,
        keyRingOptions: dependencies.keyRingOptions,
        reloadKeys: dependencies.reloadKeys,
        defaultActivationDelaySeconds: config.keyActivationDelaySeconds,
        keyReloadIntervalSeconds: config.keyReloadIntervalSeconds,
        maxBodyBytes: ADMIN_MAX_BODY_BYTES,
      }),
      createRevocationRoutes({ guard, audit, ...revocation, maxBodyBytes: ADMIN_MAX_BODY_BYTES }),
      createAuditRoutes({ guard, prisma }),
      createRoleRoutes({ guard, prisma, audit, announceChange, maxBodyBytes: ADMIN_MAX_BODY_BYTES }),
      createPermissionRoutes({ guard, prisma, audit, announceChange, maxBodyBytes: ADMIN_MAX_BODY_BYTES }),
      createClientRoutes({
        guard,
        prisma,
        audit,
        clientSecretPepper: config.clientSecretPepper,
        resourceScopes: config.scopes,
        revocation,
        announceChange,
        maxBodyBytes: ADMIN_MAX_BODY_BYTES,
      }),
      createApiKeyRoutes({
        guard,
        audit,
        services: { ...dependencies.apiKeys, prisma, revocation },
        defaultResource: config.defaultResource,
        resources: config.resources,
        scopes: config.scopes,
        maxBodyBytes: ADMIN_MAX_BODY_BYTES,
      }),
    ],
  });
}
