import { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { GuardUnavailableError, InvalidTokenError } from '../errors.js';
import { fetchJwks } from './fetch-jwks.js';
import {
  importSigningKey,
  type PublicSigningJwk,
  selectSigningJwk,
  supportedSigningAlgorithms,
  toPublicSigningJwk,
} from './signing-jwk.js';

/** Options of {@link createJwksKeyStore}. */
export interface JwksKeyStoreOptions {
  /** Where the JWKS lives; a function lets the caller resolve it lazily (discovery). Called again after a failure. */
  jwksUri: URL | (() => Promise<URL>);
  /** Asymmetric JWS algorithms accepted (already validated by the caller), e.g. ['ES256']. */
  algorithms: readonly string[];
  /** After this, the next use triggers a background refresh while known keys keep being served. Default 300. */
  refreshIntervalSeconds?: number;
  /** How long a key set fetched successfully keeps being served while refreshes fail. Default 6 * 3600. */
  maxStaleSeconds?: number;
  /** An unknown kid triggers at most one refetch per this window (no refetch storm under attack). Default 30. */
  unknownKidCooldownSeconds?: number;
  /** Per-fetch timeout. Default 5000. */
  fetchTimeoutMs?: number;
  /** Injected clock in epoch milliseconds (tests move time). Default Date.now. */
  now?: () => number;
  /** Injected fetch. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/**
 * What the store holds right now, for health checks and logs. `fresh`: younger than the refresh interval;
 * `stale`: still served while it is refreshed (or while refreshes fail); `expired`: older than maxStale, no
 * longer trusted; `empty`: never fetched successfully.
 */
export interface JwksKeyStoreStatus {
  state: 'empty' | 'fresh' | 'stale' | 'expired';
  /** kids of the usable signing keys in the current set. */
  keyIds: string[];
  /** When the current set was fetched, epoch milliseconds. */
  fetchedAt?: number;
  /** Why the last fetch failed; cleared by a successful fetch. */
  lastError?: string;
}

/** A cache of an auth server's signing keys that keeps serving them through an outage. */
export interface JwksKeyStore {
  /** jose key-resolver shape: pass `(header) => store.getKey(header)` to jwtVerify. */
  getKey(header: { alg?: string; kid?: string }): Promise<CryptoKey>;
  /** Fetch now (used at start-up to warm the cache); rejects with GuardUnavailableError if it cannot. */
  refresh(): Promise<void>;
  status(): JwksKeyStoreStatus;
}

/** A published key imported for one algorithm: the WebCrypto key (getKey) and its node:crypto twin. */
export interface ImportedSigningKey {
  readonly cryptoKey: CryptoKey;
  /** For `node:crypto.verify`, which runs on the calling thread instead of queueing on the libuv pool. */
  readonly keyObject: KeyObject;
  /** RSA modulus length in bits; undefined for EC and OKP keys. */
  readonly modulusBits: number | undefined;
  /** The key set generation this key came from (see `trustedGeneration`). */
  readonly generation: number;
}

/**
 * What the verifier needs beyond the public `JwksKeyStore` surface. Internal to the package: the public
 * type stays the jose key-resolver shape.
 */
export interface VerificationKeyStore extends JwksKeyStore {
  /** Same lookup, checks and errors as `getKey`, resolving to the imported key with its KeyObject. */
  getVerificationKey(header: { alg?: string; kid?: string }): Promise<ImportedSigningKey>;
  /**
   * The generation of the key set tokens may be verified with right now, or undefined when there is none
   * (never fetched, or older than maxStale). It changes whenever a fetch brings different keys, so
   * something derived from a key (a cached verification) can tell that its key may be gone. Like getKey,
   * it starts the background refresh when one is due, so a caller that rarely needs a key still notices
   * a key removed from the JWKS.
   */
  trustedGeneration(): number | undefined;
}

interface KeySet {
  readonly keys: readonly PublicSigningJwk[];
  /** The fetched keys serialised: a refresh that brings the same keys keeps the generation and imports. */
  readonly fingerprint: string;
  readonly generation: number;
  readonly fetchedAt: number;
  /** Imported once per key set, by `${alg}:${kid}`; a changed set starts a new map, so removed keys go too. */
  readonly imported: Map<string, Promise<ImportedSigningKey>>;
}

/**
 * Creates a JWKS cache for verifying access tokens offline. Unlike jose's createRemoteJWKSet, whose
 * verifications all fail once its 10-minute cacheMaxAge passes with the endpoint unreachable, it keeps
 * serving the last good key set for `maxStaleSeconds` (6 h) while refreshing in the background, and fails
 * closed with GuardUnavailableError (503) after that. Unknown kids refetch at most once per cooldown.
 *
 * @example
 * ```ts
 * const keys = createJwksKeyStore({ jwksUri: new URL('https://auth.example.com/jwks'), algorithms: ['ES256'] });
 * await keys.refresh(); // warm at start-up; rejects with GuardUnavailableError when the auth server is down
 * const { payload } = await jwtVerify(token, (header) => keys.getKey(header), {
 *   algorithms: ['ES256'],
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 * });
 * ```
 */
export function createJwksKeyStore(options: JwksKeyStoreOptions): VerificationKeyStore {
  const settings = validateOptions(options);
  const { jwksUri, algorithms, now, refreshMs, maxStaleMs, cooldownMs } = settings;

  let current: KeySet | undefined;
  let inFlight: Promise<KeySet> | undefined;
  let lastAttemptAt: number | undefined;
  let lastAttemptFailed = false;
  let lastError: string | undefined;
  let resolvedUri: URL | undefined = jwksUri instanceof URL ? jwksUri : undefined;
  let generations = 0;

  async function fetchKeySet(): Promise<KeySet> {
    // Set before the first await so callers arriving meanwhile see the attempt and its cooldown.
    lastAttemptAt = now();
    try {
      resolvedUri ??= await resolveJwksUri(jwksUri);
      const entries = await fetchJwks(resolvedUri, {
        fetch: settings.fetch,
        timeoutMs: settings.fetchTimeoutMs,
      });
      const keys = entries.map(toPublicSigningJwk).filter((jwk) => jwk !== undefined);
      const fingerprint = JSON.stringify(keys);
      current =
        current?.fingerprint === fingerprint
          ? { ...current, fetchedAt: now() }
          : { keys, fingerprint, generation: ++generations, fetchedAt: now(), imported: new Map() };
      lastAttemptFailed = false;
      lastError = undefined;
      return current;
    } catch (error) {
      // A stale discovery answer may be what is wrong: ask again next time.
      if (typeof jwksUri === 'function') resolvedUri = undefined;
      lastAttemptFailed = true;
      lastError = describeError(error);
      throw error;
    }
  }

  /** At most one fetch at a time: concurrent callers (cold start, background, unknown kid) share it. */
  function fetchShared(): Promise<KeySet> {
    inFlight ??= fetchKeySet().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  /** After a failed fetch, automatic retries wait out the cooldown so an outage does not become a storm. */
  function mayRetry(at: number): boolean {
    return !lastAttemptFailed || lastAttemptAt === undefined || at - lastAttemptAt >= cooldownMs;
  }

  function retryAfterSeconds(at: number): number {
    const remainingMs = lastAttemptAt === undefined ? cooldownMs : lastAttemptAt + cooldownMs - at;
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }

  /** The key set we trust at `at` without fetching, starting a background refresh when one is due. */
  function usableKeySet(at: number): KeySet | undefined {
    if (current === undefined || at - current.fetchedAt >= maxStaleMs) return undefined;
    if (at - current.fetchedAt >= refreshMs && inFlight === undefined && mayRetry(at)) {
      // Stale-while-revalidate: this request keeps the known key. The failure is recorded in lastError;
      // the catch keeps it from becoming an unhandled rejection.
      fetchShared().catch(() => undefined);
    }
    return current;
  }

  /** The key set tokens may be verified with now, fetching (blocking) only when there is none we trust. */
  async function trustedKeySet(at: number): Promise<KeySet> {
    const usable = usableKeySet(at);
    if (usable !== undefined) return usable;
    if (inFlight === undefined && !mayRetry(at)) {
      throw new GuardUnavailableError('jwks', retryAfterSeconds(at));
    }
    try {
      return await fetchShared();
    } catch (error) {
      throw new GuardUnavailableError('jwks', retryAfterSeconds(now()), { cause: error });
    }
  }

  async function resolveKey(header: { alg?: string; kid?: string }): Promise<ImportedSigningKey> {
    const { alg, kid } = header;
    // Checked here as well as by the verifier: getKey is public, and must not fetch for junk headers.
    if (typeof alg !== 'string' || !algorithms.includes(alg)) {
      throw new InvalidTokenError('disallowed_algorithm');
    }
    if (typeof kid !== 'string' || kid === '') throw new InvalidTokenError('unknown_key');

    const at = now();
    let keySet = await trustedKeySet(at);
    let jwk = selectSigningJwk(keySet.keys, kid, alg);
    if (jwk === undefined) {
      // A kid we have not seen may be a key the auth server just rotated in. Joining a fetch already under
      // way costs nothing; starting one is allowed once per cooldown, so a flood of random kids costs at
      // most one request per window.
      const mayRefetch = lastAttemptAt === undefined || at - lastAttemptAt >= cooldownMs;
      if (inFlight !== undefined || mayRefetch) {
        try {
          keySet = await fetchShared();
        } catch (error) {
          throw new GuardUnavailableError('jwks', retryAfterSeconds(now()), { cause: error });
        }
        jwk = selectSigningJwk(keySet.keys, kid, alg);
      } else if (lastAttemptFailed) {
        // While the auth server is unreachable a rotated-in key cannot be told from a made-up kid:
        // 503 rather than a 401 that might refuse a good token (DESIGN.md "Revocation", by analogy).
        throw new GuardUnavailableError('jwks', retryAfterSeconds(at));
      }
      if (jwk === undefined) throw new InvalidTokenError('unknown_key');
    }

    const cacheKey = `${alg}:${kid}`;
    const { generation } = keySet;
    let imported = keySet.imported.get(cacheKey);
    if (imported === undefined) {
      // Cached even if it rejects: a malformed published key is not re-imported on every request.
      imported = importSigningKey(jwk, alg).then((cryptoKey) => {
        const keyObject = KeyObject.from(cryptoKey);
        return {
          cryptoKey,
          keyObject,
          modulusBits: keyObject.asymmetricKeyDetails?.modulusLength,
          generation,
        };
      });
      keySet.imported.set(cacheKey, imported);
    }
    try {
      return await imported;
    } catch (error) {
      throw new InvalidTokenError('unknown_key', undefined, { cause: error });
    }
  }

  return {
    async getKey(header) {
      return (await resolveKey(header)).cryptoKey;
    },

    getVerificationKey: resolveKey,

    trustedGeneration() {
      return usableKeySet(now())?.generation;
    },

    async refresh() {
      try {
        await fetchShared();
      } catch (error) {
        throw new GuardUnavailableError('jwks', retryAfterSeconds(now()), { cause: error });
      }
    },

    status() {
      const status: JwksKeyStoreStatus = { state: 'empty', keyIds: [] };
      if (current !== undefined) {
        const age = now() - current.fetchedAt;
        status.state = age >= maxStaleMs ? 'expired' : age >= refreshMs ? 'stale' : 'fresh';
        status.keyIds = [...new Set(current.keys.map((jwk) => jwk.kid))];
        status.fetchedAt = current.fetchedAt;
      }
      if (lastError !== undefined) status.lastError = lastError;
      return status;
    },
  };
}

async function resolveJwksUri(jwksUri: URL | (() => Promise<URL>)): Promise<URL> {
  if (jwksUri instanceof URL) return jwksUri;
  const resolved: unknown = await jwksUri();
  if (!(resolved instanceof URL) || !isHttpUrl(resolved)) {
    throw new TypeError('jwksUri resolver must return an http(s) URL');
  }
  return resolved;
}

function isHttpUrl(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'http:';
}

/**
 * Keeps the undici cause (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT...): "fetch failed" alone says nothing.
 * Duck-typed: fetch's errors may come from another realm (a vm context under jest), failing `instanceof Error`.
 */
function describeError(error: unknown): string {
  if (
    typeof error !== 'object' ||
    error === null ||
    !('message' in error) ||
    typeof error.message !== 'string'
  ) {
    return String(error);
  }
  const cause = 'cause' in error ? error.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? ` (${cause.code})`
      : '';
  return `${error.message}${code}`;
}

interface Settings {
  jwksUri: URL | (() => Promise<URL>);
  algorithms: readonly string[];
  refreshMs: number;
  maxStaleMs: number;
  cooldownMs: number;
  fetchTimeoutMs: number;
  now: () => number;
  fetch: typeof fetch;
}

/** STYLE.md §4: nonsense options fail at creation with TypeError, not on the first request. */
function validateOptions(options: JwksKeyStoreOptions): Settings {
  const where = 'createJwksKeyStore';
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${where}: options must be an object`);
  const { jwksUri, algorithms } = options;
  if (jwksUri instanceof URL) {
    if (!isHttpUrl(jwksUri)) throw new TypeError(`${where}: jwksUri must be an http(s) URL`);
  } else if (typeof jwksUri !== 'function') {
    throw new TypeError(`${where}: jwksUri must be a URL or a function resolving to one`);
  }
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError(`${where}: algorithms must be a non-empty array`);
  }
  for (const alg of algorithms) {
    if (typeof alg !== 'string' || !supportedSigningAlgorithms.includes(alg)) {
      throw new TypeError(
        `${where}: unsupported algorithm ${JSON.stringify(alg)}; use one of ${supportedSigningAlgorithms.join(', ')}`,
      );
    }
  }
  const positive = (name: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`${where}: ${name} must be a positive number`);
    }
    return value;
  };
  const refreshIntervalSeconds = positive('refreshIntervalSeconds', options.refreshIntervalSeconds, 300);
  const maxStaleSeconds = positive('maxStaleSeconds', options.maxStaleSeconds, 6 * 3600);
  const cooldownSeconds = positive('unknownKidCooldownSeconds', options.unknownKidCooldownSeconds, 30);
  const fetchTimeoutMs = positive('fetchTimeoutMs', options.fetchTimeoutMs, 5000);
  if (maxStaleSeconds < refreshIntervalSeconds) {
    throw new TypeError(`${where}: maxStaleSeconds must be at least refreshIntervalSeconds`);
  }
  // AbortSignal.timeout takes a 32-bit unsigned integer.
  if (!Number.isInteger(fetchTimeoutMs) || fetchTimeoutMs > 0x7fffffff) {
    throw new TypeError(`${where}: fetchTimeoutMs must be an integer number of milliseconds`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError(`${where}: now must be a function`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError(`${where}: fetch must be a function`);
  }
  return {
    jwksUri,
    algorithms: [...algorithms],
    refreshMs: refreshIntervalSeconds * 1000,
    maxStaleMs: maxStaleSeconds * 1000,
    cooldownMs: cooldownSeconds * 1000,
    fetchTimeoutMs,
    now: options.now ?? Date.now,
    fetch: options.fetch ?? globalThis.fetch,
  };
}
