/**
 * @portcullis/api-keys — API keys checked offline (issue 8). The auth server issues a key, stores its keyed
 * hash and publishes a signed, short-lived record of it through Redis; each resource server keeps those
 * records in memory and checks `X-API-Key` against them with no call to the auth server.
 *
 * @example
 * const { id, key } = generateApiKey();
 * const secretHash = hashApiKey(config.apiKeyHashKey, key);
 */

export type { IssuedApiKey, ParsedApiKey } from './api-key-format.js';
export {
  API_KEY_PREFIX,
  generateApiKey,
  isApiKeyId,
  parseApiKey,
  visibleApiKeyPrefix,
} from './api-key-format.js';
export { apiKeyMatches, hashApiKey, MIN_API_KEY_HASH_KEY_BYTES } from './api-key-hash.js';
export type { ApiKeyRecordClaims } from './api-key-record.js';
export { API_KEY_RECORD_TYP, USER_API_KEY_CLIENT_ID } from './api-key-record.js';
export type {
  ApiKeyRecordMirror,
  ApiKeyRecordMirrorLogger,
  ApiKeyRecordMirrorOptions,
  ApiKeyRecordMirrorStatus,
  ApiKeyRecordSource,
} from './api-key-record-mirror.js';
export { createApiKeyRecordMirror } from './api-key-record-mirror.js';
export type { ApiKeyVerifierOptions } from './create-api-key-verifier.js';
export { createApiKeyVerifier } from './create-api-key-verifier.js';
export type { ApiKeyRecordRules } from './read-api-key-record.js';
export { readApiKeyRecord } from './read-api-key-record.js';
export type { ApiKeyRedisLayout } from './redis-layout.js';
export {
  apiKeyDeletedMessage,
  apiKeyRecordKey,
  apiKeyRecordPattern,
  apiKeyRedisLayout,
} from './redis-layout.js';
export type {
  ApiKeyRecordVerifier,
  ApiKeyRecordVerifierOptions,
  VerifiedApiKeyRecord,
} from './verify-api-key-record.js';
export { createApiKeyRecordVerifier } from './verify-api-key-record.js';
