import { findRevocation, type PrismaClient, type RevocationRecord } from '@portcullis/db';

/** The facts of a stored refresh token that a revocation can name. */
export interface RevocableRefreshToken {
  grantId: string;
  /** The user it was issued for. */
  accountId: string;
  clientId: string;
  issuedAt: Date;
}

/**
 * Whether a revocation record in force names this refresh token: its grant, or its user or client with a
 * cut-off at or after its `iat` (the same rule as isTokenRevoked for access tokens). Revocations delete the
 * refresh tokens they cover, so this is the second line: it also covers a token written by a request that
 * raced the revocation's transaction.
 *
 * @example
 * if (await isRefreshTokenRevoked(prisma, { grantId, accountId, clientId, issuedAt }, new Date())) return false;
 */
export async function isRefreshTokenRevoked(
  prisma: PrismaClient,
  token: RevocableRefreshToken,
  now: Date,
): Promise<boolean> {
  const [grant, user, client] = await Promise.all([
    findRevocation(prisma, 'grant', token.grantId),
    findRevocation(prisma, 'user', token.accountId),
    findRevocation(prisma, 'client', token.clientId),
  ]);
  const inForce = (record: RevocationRecord | null): record is RevocationRecord =>
    record !== null && record.expiresAt > now;
  const coversIssue = (record: RevocationRecord | null) =>
    inForce(record) && record.revokedAt >= token.issuedAt;
  return inForce(grant) || coversIssue(user) || coversIssue(client);
}
