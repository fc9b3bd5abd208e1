import { randomBytes } from 'node:crypto';

/** Every key starts with it, so secret scanners (and people) can recognise a leaked Portcullis key. */
export const API_KEY_PREFIX = 'pcl';

/** `pcl_<id>_<secret>`: the id is 20 hex characters (public), the secret 32 random bytes in base64url. */
const API_KEY_PATTERN = /^pcl_([0-9a-f]{20})_([A-Za-z0-9_-]{43})$/;
const API_KEY_ID_PATTERN = /^[0-9a-f]{20}$/;

/** A key as issued: shown to the admin once, never stored. */
export interface IssuedApiKey {
  /** Public identifier (the database id). */
  id: string;
  /** The whole key, `pcl_<id>_<secret>`: what a caller sends in X-API-Key. */
  key: string;
}

/** The two parts of a presented key. */
export interface ParsedApiKey {
  id: string;
  /** The whole key as presented (the hash covers all of it, id included). */
  key: string;
}

/**
 * A new key: 80 random bits of id (unique in practice; the database refuses a repeat) and 256 of secret.
 *
 * @example
 * const { id, key } = generateApiKey(); // key: 'pcl_3f9c…_Qm9…'
 */
export function generateApiKey(): IssuedApiKey {
  const id = randomBytes(10).toString('hex');
  return { id, key: `${API_KEY_PREFIX}_${id}_${randomBytes(32).toString('base64url')}` };
}

/**
 * Splits a presented key (external input); undefined for anything that is not exactly the issued shape, so
 * nothing malformed reaches a lookup or a hash.
 *
 * @example
 * parseApiKey(ctx.get('x-api-key'))?.id;
 */
export function parseApiKey(input: unknown): ParsedApiKey | undefined {
  if (typeof input !== 'string') return undefined;
  const match = API_KEY_PATTERN.exec(input);
  return match?.[1] ? { id: match[1], key: input } : undefined;
}

/** Whether a string is an API key id (a path parameter, a revocation value). */
export function isApiKeyId(input: unknown): input is string {
  return typeof input === 'string' && API_KEY_ID_PATTERN.test(input);
}

/**
 * What lists, logs and the audit trail show: identifies the key without revealing it.
 *
 * @example
 * visibleApiKeyPrefix('3f9c0a1b2c3d4e5f6a7b'); // 'pcl_3f9c0a1b2c3d4e5f6a7b'
 */
export function visibleApiKeyPrefix(id: string): string {
  return `${API_KEY_PREFIX}_${id}`;
}
