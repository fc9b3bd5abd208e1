import { createHmac, timingSafeEqual } from 'node:crypto';

/** Shorter hash keys are refused: HMAC keys below 256 bits weaken the "keyed" part (RFC 2104 §3). */
export const MIN_API_KEY_HASH_KEY_BYTES = 32;

/**
 * The stored form of a key: HMAC-SHA-256 under API_KEY_HASH_KEY, base64url. The auth server stores it
 * (PostgreSQL) and signs it into the record resource servers receive; a resource server recomputes it from
 * the presented key. A database or Redis dump without the hash key cannot test a guessed key.
 *
 * @example
 * const secretHash = hashApiKey(config.apiKeyHashKey, issued.key);
 */
export function hashApiKey(hashKey: Buffer, key: string): string {
  if (hashKey.length < MIN_API_KEY_HASH_KEY_BYTES) {
    throw new TypeError(`hashApiKey: the hash key must be at least ${MIN_API_KEY_HASH_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', hashKey).update(key, 'utf8').digest('base64url');
}

/**
 * Whether `key` hashes to `expectedHash`, in constant time.
 *
 * @example
 * if (!apiKeyMatches(hashKey, presented.key, record.keyHash)) throw new InvalidTokenError('unknown_api_key');
 */
export function apiKeyMatches(hashKey: Buffer, key: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(hashKey, key), 'utf8');
  const expected = Buffer.from(expectedHash, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
