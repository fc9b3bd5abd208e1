import type { PrismaClient } from '@portcullis/db';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type KoaGuard } from '@portcullis/guard/koa';
import type { Logger } from '@portcullis/service-kit';
import type { JWK } from 'jose';
import { createAdminRevocationCheck } from '../admin/admin-revocation-check.js';
import { createInProcessJwksFetch } from '../admin/in-process-jwks.js';
import type { AuthServerConfig } from '../config.js';

/** The key ring reloads every KEY_RELOAD_INTERVAL_SECONDS; the guard looks again as often. */
const JWKS_MAX_STALE_SECONDS = 24 * 3600;

/**
 * The guard of the account API: access tokens audienced to ACCOUNT_RESOURCE, verified like the admin
 * API's (create-admin-api.ts) — this process's own keys, no network round trip, and revocation asked of
 * PostgreSQL on every request (a password change is rare, and a revoked session must not change the
 * password). Refusals are RFC 6750 answers with the realm `portcullis-account`.
 */
export function createAccountGuard(options: {
  config: AuthServerConfig;
  prisma: PrismaClient;
  logger: Logger;
  publicKeys: () => readonly JWK[];
}): KoaGuard {
  const { config, logger } = options;
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.account.resource,
    jwksUri: `${config.issuer}/jwks`,
    algorithms: [config.signingAlg],
    maxTokenAgeSeconds: config.ttl.accessToken,
    jwks: {
      refreshIntervalSeconds: config.keyReloadIntervalSeconds,
      maxStaleSeconds: Math.max(JWKS_MAX_STALE_SECONDS, config.keyReloadIntervalSeconds),
      unknownKidCooldownSeconds: 1,
    },
    fetch: createInProcessJwksFetch(options.publicKeys),
    revocation: createAdminRevocationCheck(options.prisma),
  });
  return createKoaGuard({
    verifier,
    realm: 'portcullis-account',
    onRefused: (error, ctx) => {
      const { code, reason } = error as { code?: string; reason?: string };
      logger.warn({ code, reason, path: ctx.path, ip: ctx.ip }, 'account request refused');
    },
  });
}
