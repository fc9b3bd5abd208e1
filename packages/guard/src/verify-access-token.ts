import { deepFreeze } from './deep-freeze.js';
import { discoverJwksUri } from './discover-jwks-uri.js';
import { GuardUnavailableError, InvalidTokenError } from './errors.js';
import { createJwksKeyStore, type JwksKeyStore } from './jwks/jwks-key-store.js';
import { checkProtectedHeader } from './jwt/check-protected-header.js';
import { decodeJsonSegment } from './jwt/decode-json-segment.js';
import { type AccessTokenClaimRules, validateAccessTokenClaims } from './jwt/validate-access-token-claims.js';
import { verifyJwsSignature } from './jwt/verify-jws-signature.js';
import { mapJoseError } from './map-jose-error.js';
import type { Principal } from './principal.js';
import { readPrincipal } from './read-principal.js';
import type { RevocationCheck } from './revocation-check.js';
import { createVerifiedTokenCache, type VerifiedTokenCache } from './verified-token-cache.js';
import { type AccessTokenVerifierOptions, resolveVerifierOptions } from './verifier-options.js';

/** Verifies access tokens for one service. Create one per process and share it. */
export interface AccessTokenVerifier {
  /** Resolves to the caller's Principal or rejects with a GuardError (never anything else). */
  verify(token: string): Promise<Principal>;
  /** The JWKS cache, for readiness checks (`status()`) and warming at start-up (`refresh()`). */
  readonly keys: JwksKeyStore;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const REVOCATION_RETRY_AFTER_SECONDS = 5;
/** An issuer signs with a handful of keys, so its tokens carry a handful of distinct header segments. */
const MAX_CHECKED_HEADERS = 32;

/**
 * Offline RFC 9068 access-token verification with everything pinned: issuer, audience, algorithms, `typ`,
 * required claims, clock tolerance, maximum age and size, then the revocation check. The signature is
 * checked with node:crypto (see verify-jws-signature.ts for why not jose's WebCrypto path), and a token
 * that passed is remembered (verified-token-cache.ts) so the next request with it costs a map lookup, the
 * time checks and the revocation check.
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
  const rules: AccessTokenClaimRules = {
    issuer: resolved.issuer,
    audience: resolved.audience,
    clockToleranceSeconds: resolved.clockToleranceSeconds,
    maxTokenAgeSeconds: resolved.maxTokenAgeSeconds,
  };
  const cache: VerifiedTokenCache | undefined =
    resolved.verifiedTokenCacheEntries > 0
      ? createVerifiedTokenCache({
          maxEntries: resolved.verifiedTokenCacheEntries,
          clockToleranceSeconds: resolved.clockToleranceSeconds,
          maxTokenAgeSeconds: resolved.maxTokenAgeSeconds,
        })
      : undefined;

  // Header segments that passed steps 3 to 5, parsed: every token signed with one key has the same header,
  // so a first-seen token skips decoding and checking it again. Bounded; emptied when full.
  const checkedHeaders = new Map<string, Readonly<Record<string, unknown> & { alg: string }>>();
  const checkedHeader = (segment: string) => {
    let header = checkedHeaders.get(segment);
    if (header === undefined) {
      const parsed = decodeJsonSegment(segment);
      checkProtectedHeader(parsed, resolved.algorithms);
      if (checkedHeaders.size >= MAX_CHECKED_HEADERS) checkedHeaders.clear();
      header = deepFreeze(parsed);
      checkedHeaders.set(segment, header);
    }
    return header;
  };

  /** The checks of README "What is checked, in order", steps 2 to 15; caches the token when all pass. */
  async function verifySignedToken(token: string): Promise<Principal> {
    if (typeof token !== 'string') throw new InvalidTokenError('malformed');
    // UTF-8 needs at most 3 bytes per UTF-16 unit: a short token cannot be too large, and is not measured.
    if (token.length * 3 > resolved.maxTokenBytes && Buffer.byteLength(token) > resolved.maxTokenBytes) {
      throw new InvalidTokenError('too_large');
    }
    if (!COMPACT_JWS.test(token)) throw new InvalidTokenError('malformed');
    const headerEnd = token.indexOf('.');
    const payloadEnd = token.indexOf('.', headerEnd + 1);
    const header = checkedHeader(token.slice(0, headerEnd));

    const key = await keys.getVerificationKey(header);
    verifyJwsSignature(header.alg, key, token.slice(0, payloadEnd), token.slice(payloadEnd + 1));
    const claims = decodeJsonSegment(token.slice(headerEnd + 1, payloadEnd));
    const payload = validateAccessTokenClaims(header, claims, rules, resolved.now());
    const principal = deepFreeze(readPrincipal(payload, header.kid as string));
    cache?.set(token, principal, key.generation);
    return principal;
  }

  /** A token verified before, while its time checks still hold and the key set it was verified with is current. */
  function cachedPrincipal(token: string): Principal | undefined {
    // A token too long to be ours skips the lookup, which would hash all of it.
    if (cache === undefined || typeof token !== 'string' || token.length > resolved.maxTokenBytes)
      return undefined;
    const generation = keys.trustedGeneration();
    return generation === undefined ? undefined : cache.get(token, resolved.now(), generation);
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
      let principal = cachedPrincipal(token);
      if (principal === undefined) {
        try {
          principal = await verifySignedToken(token);
        } catch (error) {
          throw mapJoseError(error);
        }
      }
      // On every request, cached or not: a token revoked after it was cached is refused at once.
      if (revocation) await checkRevocation(revocation, principal);
      return principal;
    },
  };
}
