import { findRefreshTokenGrantId, listPublishedSigningKeys, type PrismaClient } from '@portcullis/db';
import { compactVerify, createLocalJWKSet, errors, type JWK } from 'jose';
import { z } from 'zod';

/** What a presented token turns out to be: one access token (by jti), or a refresh token's grant. */
export type IssuedTokenIdentity = { kind: 'jti'; value: string } | { kind: 'grant'; value: string };

/** The claims that identify our access token; the rest of RFC 9068's are not needed to revoke it. */
const accessTokenClaims = z.object({ iss: z.string(), jti: z.string().min(1).max(200) });

/**
 * Identifies a token this server issued, without keeping it: an RFC 9068 access token signed by one of our
 * published keys with our issuer (expired or not: revoking an expired token is harmless, and refusing it would
 * make an admin guess), or a stored refresh token (spent or not). Anything else is null.
 *
 * A JWS compact serialization always holds dots; oidc-provider's opaque tokens are base64url and never do,
 * so the two paths cannot shadow each other.
 */
export async function identifyIssuedToken(
  prisma: PrismaClient,
  issuer: string,
  token: string,
  now: Date,
): Promise<IssuedTokenIdentity | null> {
  if (token.includes('.')) {
    const jti = await verifiedAccessTokenJti(prisma, issuer, token, now);
    return jti === null ? null : { kind: 'jti', value: jti };
  }
  const grantId = await findRefreshTokenGrantId(prisma, token);
  return grantId === null ? null : { kind: 'grant', value: grantId };
}

async function verifiedAccessTokenJti(
  prisma: PrismaClient,
  issuer: string,
  token: string,
  now: Date,
): Promise<string | null> {
  // From the database rather than this instance's key ring: a key another instance just rotated in counts.
  const keys = await listPublishedSigningKeys(prisma, now);
  if (keys.length === 0) return null;
  const jwks = createLocalJWKSet({
    keys: keys.map((key) => ({ ...(key.publicJwk as JWK), kid: key.kid, alg: key.alg })),
  });
  try {
    // Algorithms pinned to our keys' own: never `none`, never an HMAC keyed with a public key.
    const { payload, protectedHeader } = await compactVerify(token, jwks, {
      algorithms: [...new Set(keys.map((key) => key.alg))],
    });
    if (!isAccessTokenType(protectedHeader.typ)) return null;
    const claims = accessTokenClaims.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    return claims.success && claims.data.iss === issuer ? claims.data.jti : null;
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** RFC 9068 §2.1: `at+jwt`, media type prefix optional, compared case-insensitively (RFC 7515 §4.1.9). */
function isAccessTokenType(typ: string | undefined): boolean {
  const normalized = typ?.toLowerCase();
  return normalized === 'at+jwt' || normalized === 'application/at+jwt';
}
