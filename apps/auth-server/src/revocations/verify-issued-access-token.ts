import { listPublishedSigningKeys, type PrismaClient } from '@portcullis/db';
import { createLocalJWKSet, errors, type JWK, jwtVerify } from 'jose';
import { z } from 'zod';

/** The RFC 9068 claims of one of our access tokens, as token-claims.ts and oidc-provider write them. */
const accessTokenClaims = z.object({
  iss: z.string(),
  sub: z.string().min(1),
  client_id: z.string().min(1),
  jti: z.string().min(1).max(200),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  scope: z.string().optional(),
  grant_id: z.string().optional(),
  roles: z.array(z.string()).optional(),
  permissions: z.array(z.string()).optional(),
});

export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** A verified access token: its claims and the kid that signed it (a `kid` revocation names it). */
export interface IssuedAccessToken {
  claims: AccessTokenClaims;
  kid: string;
}

export interface VerifyIssuedAccessTokenOptions {
  issuer: string;
  now: Date;
  /** How long past `exp` the token still counts: the skew resource servers allow, or 0 for "right now". */
  clockToleranceSeconds: number;
}

/** RFC 9068 §2.2 and the guard's list: what every one of our access tokens carries. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];

/**
 * Verifies an access token this server issued, without keeping it: signed by one of our published keys
 * (read from the database, so a key another instance just rotated in counts) with a pinned algorithm, our
 * issuer, `typ: at+jwt` (RFC 9068 §4), not expired, and carrying every claim we always write. Anything else
 * — malformed, foreign, expired, forged — is null, never an error: RFC 7009 and RFC 7662 answer those alike.
 *
 * @example
 * const token = await verifyIssuedAccessToken(prisma, presented, { issuer, now: new Date(), clockToleranceSeconds: 0 });
 * if (token?.claims.client_id === clientId) await revokeTokens(dependencies, { kind: 'jti', value: token.claims.jti });
 */
export async function verifyIssuedAccessToken(
  prisma: PrismaClient,
  token: string,
  options: VerifyIssuedAccessTokenOptions,
): Promise<IssuedAccessToken | null> {
  const keys = await listPublishedSigningKeys(prisma, options.now);
  if (keys.length === 0) return null;
  const jwks = createLocalJWKSet({
    keys: keys.map((key) => ({ ...(key.publicJwk as JWK), kid: key.kid, alg: key.alg })),
  });
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: options.issuer,
      // Pinned to our keys' own: never `none`, never an HMAC keyed with a public key.
      algorithms: [...new Set(keys.map((key) => key.alg))],
      typ: 'at+jwt',
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: options.now,
      clockTolerance: options.clockToleranceSeconds,
    });
    const claims = accessTokenClaims.safeParse(payload);
    if (!claims.success || typeof protectedHeader.kid !== 'string') return null;
    return { claims: claims.data, kid: protectedHeader.kid };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
