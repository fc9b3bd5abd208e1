import { MIN_API_KEY_HASH_KEY_BYTES } from '@portcullis/api-keys';
import { z } from 'zod';

/**
 * API_KEY_HASH_KEY as the auth server reads it (apps/auth-server/src/config.ts): base64url, at least 32
 * bytes, the same value on both servers. Empty (as an .env template leaves it) counts as unset.
 */
export const apiKeyHashKeySchema = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .transform((value) => Buffer.from(value, 'base64url'))
    .refine(
      (bytes) => bytes.length >= MIN_API_KEY_HASH_KEY_BYTES,
      `must be at least ${MIN_API_KEY_HASH_KEY_BYTES} bytes, base64url-encoded`,
    )
    .optional(),
);

/**
 * The auth server's production rule for its secrets (apps/auth-server/src/development-secret.ts; an app
 * cannot import another app): `npm start` marks the secrets it generates with this prefix, and a typed
 * value has few distinct bytes. Either one refuses to start in production.
 */
const DEVELOPMENT_SECRET_MARKER = Buffer.from('portcullis-dev:', 'ascii');
const MIN_DISTINCT_BYTES = 16;

/** Why production must not use this hash key; empty when it looks generated for production. */
export function apiKeyHashKeyProblems(hashKey: Buffer): string[] {
  if (hashKey.subarray(0, DEVELOPMENT_SECRET_MARKER.length).equals(DEVELOPMENT_SECRET_MARKER)) {
    return ['API_KEY_HASH_KEY: is a development secret made by `npm start`; generate one for production'];
  }
  if (new Set(hashKey).size < MIN_DISTINCT_BYTES) {
    return ['API_KEY_HASH_KEY: does not look random (too few distinct bytes); generate one for production'];
  }
  return [];
}
