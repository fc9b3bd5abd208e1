import { decodeProtectedHeader, jwtVerify } from 'jose';
import { discoverJwksUri } from './discover-jwks-uri.js';
import { GuardUnavailableError, InvalidTokenError } from './errors.js';
import { createJwksKeyStore, type JwksKeyStore } from './jwks/jwks-key-store.js';
import { mapJoseError } from './map-jose-error.js';
import type { Principal } from './principal.js';
import { readPrincipal } from './read-principal.js';
import type { RevocationCheck } from './revocation-check.js';
import { type AccessTokenVerifierOptions, resolveVerifierOptions } from './verifier-options.js';

/** Verifies access tokens for one service. Create one per process and share it. */
export interface AccessTokenVerifier {
  /** Resolves to the caller's Principal or rejects with a GuardError (never anything else). */
  verify(token: string): Promise<Principal>;
  /** The JWKS cache, for readiness checks (`status()`) and warming at start-up (`refresh()`). */
  readonly keys: JwksKeyStore;
}

/** RFC 9068 §2.2 and DESIGN.md "Grants and tokens": what every access token must carry. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];
/** Header parameters that name or carry a key: keys come from the issuer's JWKS by `kid`, nowhere else. */
const KEY_CARRYING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const REVOCATION_RETRY_AFTER_SECONDS = 5;

/**
 * Offline RFC 9068 access-token verification with everything pinned: issuer, audience, algorithms, `typ`,
 * required claims, clock tolerance, maximum age and size, then the revocation check.
 *
 * @example
 * const verifier = createAccessTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 * });
 * const principal = await verifier.verify(token); // or throws InvalidTokenError (401) / GuardUnavailableError (503)
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const revocation: RevocationCheck | undefined = options.revocation;
  const keys = createJwksKeyStore({
    ...options.jwks,
    jwksUri: resolved.jwksUri ?? (() => discoverJwksUri(resolved.issuer, resolved.fetch)),
    algorithms: resolved.algorithms,
    now: resolved.now,
    fetch: resolved.fetch,
  });

  async function verifySignedToken(token: string): Promise<Principal> {
    if (Buffer.byteLength(token) > resolved.maxTokenBytes) throw new InvalidTokenError('too_large');
    if (!COMPACT_JWS.test(token)) throw new InvalidTokenError('malformed');
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string' || !(resolved.algorithms as readonly string[]).includes(header.alg)) {
      throw new InvalidTokenError('disallowed_algorithm');
    }
    if (KEY_CARRYING_HEADERS.some((name) => name in header)) throw new InvalidTokenError('disallowed_header');

    const { payload } = await jwtVerify(token, (protectedHeader) => keys.getKey(protectedHeader), {
      issuer: resolved.issuer,
      audience: resolved.audience,
      algorithms: [...resolved.algorithms],
      typ: 'at+jwt',
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: resolved.clockToleranceSeconds,
      maxTokenAge: resolved.maxTokenAgeSeconds,
      currentDate: new Date(resolved.now()),
    });
    return readPrincipal(payload, header.kid as string);
  }

  async function checkRevocation(check: RevocationCheck, principal: Principal): Promise<void> {
    let revoked: boolean;
    try {
      revoked = await check.isRevoked(principal);
    } catch (error) {
      if (error instanceof GuardUnavailableError) throw error;
      throw new GuardUnavailableError('revocation', REVOCATION_RETRY_AFTER_SECONDS, { cause: error });
    }
    if (revoked) throw new InvalidTokenError('revoked');
  }

  return {
    keys,
    async verify(token) {
      let principal: Principal;
      try {
        principal = await verifySignedToken(token);
      } catch (error) {
        throw mapJoseError(error);
      }
      if (revocation) await checkRevocation(revocation, principal);
      return principal;
    },
  };
}
