import { isTokenRevoked, type PrismaClient } from '@portcullis/db';
import type { RevocationCheck } from '@portcullis/guard';

/**
 * The admin API's own revocation check: it runs beside the system of record, and admin traffic is light,
 * so it asks PostgreSQL on every request instead of keeping a mirror. A revoked admin token is refused at
 * once; if PostgreSQL cannot answer, the guard fails closed with 503.
 */
export function createAdminRevocationCheck(prisma: PrismaClient): RevocationCheck {
  return {
    isRevoked: (token) =>
      isTokenRevoked(prisma, {
        jti: token.tokenId,
        grantId: token.grantId,
        subject: token.subject,
        clientId: token.clientId,
        kid: token.keyId,
        issuedAt: new Date(token.issuedAt * 1000),
      }),
  };
}
