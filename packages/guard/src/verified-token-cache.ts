import type { Principal } from './principal.js';

/** Options of {@link createVerifiedTokenCache}; the time rules are the verifier's. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens held; those not used for longest go first. */
  maxEntries: number;
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
}

/** Tokens that passed full verification, by their exact string. */
export interface VerifiedTokenCache {
  /**
   * The principal of `token` if it passed full verification with keys of `keyGeneration`, and its time
   * claims still hold at `now` (epoch ms); otherwise undefined, and the token must be verified in full.
   */
  get(token: string, now: number, keyGeneration: number): Principal | undefined;
  /**
   * Records a token that has just passed full verification (never one that failed), from the second time
   * it does: the first time only marks it as seen. The principal is handed to every later request with
   * the same token, so it must be frozen (the verifier freezes it).
   */
  set(token: string, principal: Principal, keyGeneration: number): void;
  readonly size: number;
}

interface Entry {
  readonly principal: Principal;
  readonly keyGeneration: number;
  /** Valid while notBefore <= now < expiresBefore and now <= oldestAt (epoch seconds), as verified. */
  readonly notBefore: number;
  readonly expiresBefore: number;
  readonly oldestAt: number;
}

/**
 * A bounded LRU map from an access token's exact string to its verified Principal, so a token seen before
 * skips the signature check and claim parsing (STACK-NOTES "Where the time goes": ES256 verification alone
 * held a protected GET to ~0.22 of a bare Koa GET). An entry is served only while its time checks still
 * hold at the current clock (exp, nbf, iat with the tolerance, and the maximum age) and while the JWKS key
 * set it was verified against is unchanged; anything else is a miss, and the full verification decides
 * (and names the reason). Revocation is not cached: the verifier checks it on every request.
 *
 * Keyed on the exact string: ES256 signatures are malleable (r, n - s also verifies), so a different string
 * for the same claims is simply another key, verified from scratch.
 *
 * Admitted on second sight (TinyLFU's "doorkeeper"): a token is stored the second time it is verified in
 * full, so a flood of tokens each used once (the first-seen benchmark, or an attacker with many valid
 * tokens) churns no entries. Measured at 4k first-seen tokens/s, admitting every token grew the resource
 * server's RSS from 124 MB to 175 MB (10 000 entries, ~1.5 KiB each, evicted in bulk); a token used again
 * pays one extra verification in its life. The doorkeeper is a fixed array of hashes, no allocation.
 *
 * Bounded in two generations of maxEntries / 2 (an approximate LRU): new entries and hits go to the recent
 * one; when it is full it becomes the older one and the previous older one is dropped whole. A hit in the
 * older generation moves the entry back to the recent one. Every operation is O(1): evicting one entry at a
 * time from the front of a single Map (`keys().next()`) scans the holes earlier deletions left, which cost
 * ~11 µs per insert at 10 000 entries here and stalled the event loop under a flood of distinct tokens.
 */
export function createVerifiedTokenCache(options: VerifiedTokenCacheOptions): VerifiedTokenCache {
  const { maxEntries, clockToleranceSeconds: tolerance, maxTokenAgeSeconds } = options;
  // Two generations of `half` entries hold at most maxEntries; a cache of one entry keeps no older one.
  const half = Math.max(1, Math.floor(maxEntries / 2));
  const keepsOlder = maxEntries >= 2;
  let recent = new Map<string, Entry>();
  let older = new Map<string, Entry>();
  // A power of two at least four times maxEntries, so first sightings rarely overwrite each other.
  const seen = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(1024, maxEntries * 4))));
  const seenMask = seen.length - 1;
  /** True the second time the token (by its hash) is offered; records it the first time. */
  const admits = (token: string) => {
    const hash = tailHash(token) | 1; // never 0, the empty slot
    const slot = hash & seenMask;
    if (seen[slot] === hash) return true;
    seen[slot] = hash;
    return false;
  };

  const insert = (token: string, entry: Entry) => {
    if (recent.size >= half && !recent.has(token)) {
      older = keepsOlder ? recent : new Map();
      recent = new Map();
    }
    recent.set(token, entry);
  };

  return {
    get(token, now, keyGeneration) {
      let entry = recent.get(token);
      if (entry === undefined) {
        entry = older.get(token);
        if (entry === undefined) return undefined;
        older.delete(token);
        insert(token, entry);
      }
      const nowSeconds = Math.floor(now / 1000);
      if (
        entry.keyGeneration !== keyGeneration ||
        nowSeconds < entry.notBefore ||
        nowSeconds >= entry.expiresBefore ||
        nowSeconds > entry.oldestAt
      ) {
        recent.delete(token);
        return undefined;
      }
      return entry.principal;
    },
    set(token, principal, keyGeneration) {
      if (!recent.has(token) && !older.has(token) && !admits(token)) return;
      older.delete(token);
      const { nbf } = principal.claims;
      const notYetAt = Math.max(principal.issuedAt, typeof nbf === 'number' ? nbf : Number.NEGATIVE_INFINITY);
      insert(token, {
        principal,
        keyGeneration,
        // The verifier's own bounds, rearranged: nbf/iat > now + tolerance, exp <= now - tolerance,
        // now - iat - tolerance > maxTokenAge each refuse a token.
        notBefore: notYetAt - tolerance,
        expiresBefore: principal.expiresAt + tolerance,
        oldestAt: principal.issuedAt + maxTokenAgeSeconds + tolerance,
      });
    },
    get size() {
      return recent.size + older.size;
    },
  };
}

/**
 * FNV-1a over the last 32 characters of a token: the end of its signature, which differs between any two
 * tokens. Only decides admission: a collision caches a token one sighting early, nothing more.
 */
function tailHash(token: string): number {
  let hash = 0x811c9dc5;
  for (let index = Math.max(0, token.length - 32); index < token.length; index += 1) {
    hash ^= token.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash;
}
