import type { JwksKeyStoreOptions } from './jwks/jwks-key-store.js';
import type { RevocationCheck } from './revocation-check.js';

/** Asymmetric JWS algorithms only: a shared-secret (HS*) or `none` token can never be accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/**
 * Options of `createAccessTokenVerifier`. Only `issuer` and `audience` are required; every default is the
 * strict one.
 */
export interface AccessTokenVerifierOptions {
  /** The auth server's issuer identifier, compared exactly with `iss` (e.g. `https://auth.example.com`). */
  issuer: string;
  /** This service's resource indicator (RFC 8707), which must be in `aud`. */
  audience: string;
  /** JWKS location. Default: `jwks_uri` from the issuer's RFC 8414 metadata, fetched on first use. */
  jwksUri?: string;
  /** Accepted signing algorithms. Default `['ES256']`. Asymmetric only. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat` against clock skew. Default 5 seconds. */
  clockToleranceSeconds?: number;
  /** Refuse a token whose `iat` is older than this, whatever its `exp` says. Default 3600 seconds. */
  maxTokenAgeSeconds?: number;
  /** Refuse a token longer than this before parsing it. Default 8192 bytes. */
  maxTokenBytes?: number;
  /** JWKS cache tuning: refresh interval 300 s, serve-while-down 6 h, unknown-kid cooldown 30 s, fetch timeout 5 s. */
  jwks?: Pick<
    JwksKeyStoreOptions,
    'refreshIntervalSeconds' | 'maxStaleSeconds' | 'unknownKidCooldownSeconds' | 'fetchTimeoutMs'
  >;
  /** Called for every token that passed all other checks. Default: no revocation check. */
  revocation?: RevocationCheck;
  /**
   * Remembers tokens that passed full verification (from their second one), by their exact string, so a
   * token seen before skips the signature check. An entry is honoured only while its `exp`, `nbf`, `iat` and maximum-age checks
   * still hold and the JWKS is unchanged; revocation is still checked on every request. `false` turns it
   * off. Default `{ maxEntries: 10000 }` (the tokens not used for longest are dropped first).
   */
  verifiedTokenCache?: false | { maxEntries?: number };
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
  /** HTTP client for discovery and JWKS, for tests. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export interface ResolvedVerifierOptions {
  issuer: string;
  audience: string;
  jwksUri: URL | undefined;
  algorithms: readonly AsymmetricAlgorithm[];
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
  maxTokenBytes: number;
  /** 0 when the verified-token cache is off. */
  verifiedTokenCacheEntries: number;
  now: () => number;
  fetch: typeof fetch;
}

/** Validates options at creation (STYLE.md §4): a misconfigured guard must not start, let alone fail open. */
export function resolveVerifierOptions(options: AccessTokenVerifierOptions): ResolvedVerifierOptions {
  const issuer = parseUrl('issuer', options.issuer);
  if (issuer.search || issuer.hash) throw new TypeError('issuer must not have a query or fragment');
  if (typeof options.audience !== 'string' || options.audience.length === 0) {
    throw new TypeError('audience must be a non-empty string (this service’s resource indicator)');
  }
  const algorithms = options.algorithms ?? ['ES256'];
  if (algorithms.length === 0) throw new TypeError('algorithms must not be empty');
  for (const algorithm of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new TypeError(`algorithm ${String(algorithm)} is not an asymmetric JWS algorithm`);
    }
  }
  return {
    issuer: options.issuer,
    audience: options.audience,
    jwksUri: options.jwksUri === undefined ? undefined : parseUrl('jwksUri', options.jwksUri),
    algorithms: [...algorithms],
    clockToleranceSeconds: nonNegative('clockToleranceSeconds', options.clockToleranceSeconds, 5),
    maxTokenAgeSeconds: positive('maxTokenAgeSeconds', options.maxTokenAgeSeconds, 3600),
    maxTokenBytes: positive('maxTokenBytes', options.maxTokenBytes, 8192),
    verifiedTokenCacheEntries: cacheEntries(options.verifiedTokenCache),
    now: options.now ?? Date.now,
    fetch: options.fetch ?? globalThis.fetch,
  };
}

/** Each entry holds a token (<= maxTokenBytes) and its Principal: 10 000 is a few MiB at most. */
const DEFAULT_CACHE_ENTRIES = 10_000;

function cacheEntries(option: AccessTokenVerifierOptions['verifiedTokenCache']): number {
  if (option === false) return 0;
  if (option === undefined) return DEFAULT_CACHE_ENTRIES;
  if (typeof option !== 'object' || option === null) {
    throw new TypeError('verifiedTokenCache must be false or { maxEntries }');
  }
  const { maxEntries = DEFAULT_CACHE_ENTRIES } = option;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('verifiedTokenCache.maxEntries must be a positive integer');
  }
  return maxEntries;
}

function parseUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`${name} must be a URL`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${name} must be an http(s) URL`);
  }
  return url;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be zero or more`);
  return value;
}
