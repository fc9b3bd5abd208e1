import { isTokenRevoked, type PrismaClient } from '@portcullis/db';
import { verifyIssuedAccessToken } from './verify-issued-access-token.js';

/** RFC 7662 §2.2, plus the roles and permissions a resource server enforces (as the JWT carries them). */
export type AccessTokenIntrospection =
  | { active: false }
  | {
      active: true;
      scope?: string | undefined;
      client_id: string;
      sub: string;
      aud: string | string[];
      iss: string;
      exp: number;
      iat: number;
      jti: string;
      token_type: 'Bearer';
      roles?: string[] | undefined;
      permissions?: string[] | undefined;
    };

export interface IntrospectAccessTokenOptions {
  issuer: string;
  now: Date;
}

/**
 * RFC 7662 for our JWT access tokens, which oidc-provider refuses to introspect because it does not store
 * them: active only when the token verifies (our key, issuer and `typ`, not expired right now) and no
 * revocation record in force names it (jti, grant, user, client or signing key), the same records the admin
 * API's guard reads. An inactive answer says nothing more (RFC 7662 §2.2: no reason why).
 *
 * @example
 * const answer = await introspectAccessToken(prisma, token, { issuer, now: new Date() });
 * // → { active: true, sub: 'user-id', client_id: 'web', scope: 'items:read', ... } or { active: false }
 * @throws when PostgreSQL cannot answer: the caller must fail, never answer active.
 */
export async function introspectAccessToken(
  prisma: PrismaClient,
  token: string,
  options: IntrospectAccessTokenOptions,
): Promise<AccessTokenIntrospection> {
  // No clock tolerance: "active" is about now, and the answer's `exp` must not lie in the past.
  const verified = await verifyIssuedAccessToken(prisma, token, { ...options, clockToleranceSeconds: 0 });
  if (!verified) return { active: false };
  const { claims, kid } = verified;
  const revoked = await isTokenRevoked(
    prisma,
    {
      jti: claims.jti,
      grantId: claims.grant_id,
      subject: claims.sub,
      clientId: claims.client_id,
      kid,
      issuedAt: new Date(claims.iat * 1000),
    },
    options.now,
  );
  if (revoked) return { active: false };
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    token_type: 'Bearer',
    roles: claims.roles,
    permissions: claims.permissions,
  };
}
