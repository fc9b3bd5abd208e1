/**
 * Where API key records live in Redis, next to the revocations (same REDIS_KEY_PREFIX). Every key and the
 * channel are built here (STYLE.md §8).
 *
 * - `${prefix}api-key:${id}` holds the record (compact JWS), with a TTL ending at the record's `exp`.
 * - `${prefix}api-keys` is the channel: a message is either a record (a compact JWS, added or re-signed) or
 *   `deleted:<id>` (revoked, expired or its owner gone; the revocation entry is what enforces it).
 */
export interface ApiKeyRedisLayout {
  keyPrefix: string;
  channel: string;
}

export function apiKeyRedisLayout(keyPrefix: string): ApiKeyRedisLayout {
  return { keyPrefix, channel: `${keyPrefix}api-keys` };
}

export function apiKeyRecordKey(keyPrefix: string, id: string): string {
  return `${keyPrefix}api-key:${id}`;
}

/** A SCAN MATCH pattern for every record under the prefix; glob characters in the prefix are escaped. */
export function apiKeyRecordPattern(keyPrefix: string): string {
  return `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}api-key:*`;
}

/** The channel message that says a key's record is gone. */
export function apiKeyDeletedMessage(id: string): string {
  return `deleted:${id}`;
}
