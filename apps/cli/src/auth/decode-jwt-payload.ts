import { z } from 'zod';

/** The RFC 9068 claims `whoami` shows; everything else is kept for --json. */
export const accessTokenClaims = z.looseObject({
  iss: z.string().optional(),
  sub: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  client_id: z.string().optional(),
  scope: z.string().optional(),
  exp: z.number().optional(),
  iat: z.number().optional(),
  jti: z.string().optional(),
  roles: z.array(z.string()).optional(),
  permissions: z.array(z.string()).optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/**
 * Reads a JWT's payload WITHOUT verifying its signature. Only for showing the operator what their own token
 * says: the admin API verifies every token it receives, so nothing here is trusted for a decision.
 * Returns null for something that is not a JWT.
 */
export function decodeJwtPayload(token: string): AccessTokenClaims | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const parsed = accessTokenClaims.safeParse(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
