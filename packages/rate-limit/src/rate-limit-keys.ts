import { createHash } from 'node:crypto';

/** Longer caller keys are hashed: a client id or username chosen by an attacker must not size our keys. */
const MAX_PLAIN_KEY_LENGTH = 128;

/**
 * The rate-limiter-flexible key prefix of one policy; the library appends `:<key>`. Every Redis key this
 * package writes is `<keyPrefix><policy name>:<key>` (STYLE.md §8: keys built in one module).
 */
export function policyKeyPrefix(keyPrefix: string, name: string): string {
  return `${keyPrefix}${name}`;
}

/** The counter key for a caller key: as given when short, else `sha256:<hex>`. */
export function counterKey(key: string): string {
  if (key.length <= MAX_PLAIN_KEY_LENGTH) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
