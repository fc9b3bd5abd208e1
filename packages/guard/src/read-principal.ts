import type { JWTPayload } from 'jose';
import { InvalidTokenError } from './errors.js';
import type { Principal } from './principal.js';

/**
 * Turns verified claims into a Principal, checking the types jose does not: a token with `roles: "admin"`
 * (a string, not an array) is refused rather than half-understood.
 */
export function readPrincipal(claims: JWTPayload, keyId: string): Principal {
  const subject = requireString(claims.sub);
  const clientId = requireString(claims.client_id);
  const grantId = optionalString(claims.grant_id);
  return {
    kind: subject === clientId && grantId === undefined ? 'client' : 'user',
    subject,
    clientId,
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : absent(claims.scope),
    roles: stringArray(claims.roles),
    permissions: stringArray(claims.permissions),
    tokenId: requireString(claims.jti),
    grantId,
    keyId,
    issuedAt: claims.iat as number,
    expiresAt: claims.exp as number,
    claims,
    credential: 'access_token',
  };
}

function requireString(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidTokenError('invalid_claim');
  return value;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : requireString(value);
}

function stringArray(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new InvalidTokenError('invalid_claim');
  }
  return value;
}

function absent(value: unknown): string[] {
  if (value !== undefined) throw new InvalidTokenError('invalid_claim');
  return [];
}
