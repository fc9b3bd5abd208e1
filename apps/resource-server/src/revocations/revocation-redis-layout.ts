import type { RevocationRedisLayout } from '@portcullis/revocation';

/**
 * Keys under `<prefix>revoked:` and the channel `<prefix>revocations`: the auth server derives the same
 * names from the same REDIS_KEY_PREFIX.
 *
 * @example
 * const { keyPrefix, channel } = revocationRedisLayout('portcullis:'); // channel: 'portcullis:revocations'
 */
export function revocationRedisLayout(keyPrefix: string): RevocationRedisLayout {
  return { keyPrefix, channel: `${keyPrefix}revocations` };
}
