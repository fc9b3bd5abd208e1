import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are 256-bit random strings we generate, so a keyed fast hash is enough: brute force is
 * hopeless, and argon2 here would cap client_credentials at tens of requests per second (issue #2).
 * The pepper (CLIENT_SECRET_PEPPER) lives outside the database, so a database dump alone verifies nothing.
 */
export function hashClientSecret(secret: string, pepper: Buffer): string {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

export function clientSecretMatches(presented: string, storedHash: string, pepper: Buffer): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashClientSecret(presented, pepper), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** 32 random bytes, base64url: what admins and the seed hand out, shown once. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
