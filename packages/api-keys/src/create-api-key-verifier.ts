import {
  type ApiKeyVerifier,
  GuardUnavailableError,
  InvalidTokenError,
  type Principal,
  type RevocationCheck,
} from '@portcullis/guard';
import { parseApiKey } from './api-key-format.js';
import { apiKeyMatches, MIN_API_KEY_HASH_KEY_BYTES } from './api-key-hash.js';
import type { ApiKeyRecordSource } from './api-key-record-mirror.js';
import type { VerifiedApiKeyRecord } from './verify-api-key-record.js';

export interface ApiKeyVerifierOptions {
  /** The records in force (createApiKeyRecordMirror). */
  records: ApiKeyRecordSource;
  /** API_KEY_HASH_KEY: the same bytes the auth server hashes keys with (at least 32). */
  hashKey: Buffer;
  /** The revocation check access tokens go through (the revocation mirror): revoking a key is a `jti` revocation. */
  revocation: RevocationCheck;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

const REVOCATION_RETRY_AFTER_SECONDS = 5;
/** Hashed against when no record has the presented id, so an unknown id costs what a wrong secret costs. */
const NO_SUCH_HASH = 'A'.repeat(43);

/**
 * Checks `X-API-Key` values offline, for the guard's `apiKeys` option: the key's shape (`malformed`), the
 * record of its id and the keyed hash of the whole key, compared in constant time (`unknown_api_key` for
 * both an unknown id and a wrong secret, so ids cannot be probed apart from keys), the record's `exp` and
 * the key's own `key_exp` (`expired`), then the same revocation check as access tokens with the key id as
 * `jti` (`revoked`; 503 while the revocation mirror is too stale). Each key's Principal is built once per
 * record and frozen: `credential: 'api_key'`, `tokenId` the key id, `issuedAt` the key's `created_at`.
 *
 * @example
 * const apiKeys = createApiKeyVerifier({ records: mirror, hashKey: config.apiKeys.hashKey, revocation });
 * const guard = createKoaGuard({ verifier, realm: 'items', apiKeys });
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const { records, hashKey, revocation } = options;
  if (typeof records?.get !== 'function') throw new TypeError('records must have get(keyId)');
  if (!Buffer.isBuffer(hashKey) || hashKey.length < MIN_API_KEY_HASH_KEY_BYTES) {
    throw new TypeError(`hashKey must be a Buffer of at least ${MIN_API_KEY_HASH_KEY_BYTES} bytes`);
  }
  if (typeof revocation?.isRevoked !== 'function') {
    throw new TypeError('revocation is required: a revoked key must stop working within a second');
  }
  const now = options.now ?? Date.now;
  const principals = new WeakMap<VerifiedApiKeyRecord, Principal>();
  const principalOf = (record: VerifiedApiKeyRecord): Principal => {
    let principal = principals.get(record);
    if (principal === undefined) {
      principal = toPrincipal(record);
      principals.set(record, principal);
    }
    return principal;
  };

  return {
    async verify(presented) {
      const parsed = parseApiKey(presented);
      if (parsed === undefined) throw new InvalidTokenError('malformed', 'the API key is malformed');
      const record = records.get(parsed.id);
      const matches = apiKeyMatches(hashKey, parsed.key, record?.claims.key_hash ?? NO_SUCH_HASH);
      if (record === undefined || !matches) throw new InvalidTokenError('unknown_api_key');
      const { claims } = record;
      const nowSeconds = Math.floor(now() / 1000);
      if (claims.exp <= nowSeconds || (claims.key_exp !== undefined && claims.key_exp <= nowSeconds)) {
        throw new InvalidTokenError('expired', 'the API key expired');
      }
      let revoked: boolean;
      try {
        revoked = await revocation.isRevoked({
          tokenId: claims.key_id,
          grantId: undefined,
          subject: claims.sub,
          clientId: claims.client_id,
          keyId: record.keyId,
          issuedAt: claims.created_at,
        });
      } catch (error) {
        if (error instanceof GuardUnavailableError) throw error;
        throw new GuardUnavailableError('revocation', REVOCATION_RETRY_AFTER_SECONDS, { cause: error });
      }
      if (revoked) throw new InvalidTokenError('revoked', 'the API key has been revoked');
      return principalOf(record);
    },
  };
}

function toPrincipal({ claims, keyId }: VerifiedApiKeyRecord): Principal {
  const principal: Principal = {
    kind: claims.owner,
    subject: claims.sub,
    clientId: claims.client_id,
    scopes: Object.freeze(claims.scope.split(' ').filter(Boolean)),
    roles: Object.freeze([...claims.roles]),
    permissions: Object.freeze([...claims.permissions]),
    tokenId: claims.key_id,
    grantId: undefined,
    keyId,
    issuedAt: claims.created_at,
    expiresAt: claims.key_exp === undefined ? claims.exp : Math.min(claims.exp, claims.key_exp),
    claims: Object.freeze({
      ...claims,
      roles: Object.freeze([...claims.roles]),
      permissions: Object.freeze([...claims.permissions]),
    }) as Principal['claims'],
    credential: 'api_key',
  };
  // Shared by every request with this key: a handler must not be able to widen it for the next one.
  return Object.freeze(principal);
}
