import { type JwksKeyStore, verifyCompactJws } from '@portcullis/guard';
import type { ApiKeyRecordClaims } from './api-key-record.js';
import { readApiKeyRecord } from './read-api-key-record.js';

/** A record that passed every check: what the mirror keeps and the key verifier reads. */
export interface VerifiedApiKeyRecord {
  readonly claims: Readonly<ApiKeyRecordClaims>;
  /** `kid` of the signing key: a signing-key revocation reaches the keys it vouched for. */
  readonly keyId: string;
}

export interface ApiKeyRecordVerifierOptions {
  /** The resource server's JWKS cache (`verifier.keys`): records are signed with the access-token keys. */
  keys: JwksKeyStore;
  issuer: string;
  audience: string;
  /** The accepted `alg` values: those configured for access tokens. */
  algorithms: readonly string[];
  /** Longest record accepted, in characters. Default 8192 (a record is well under 1 KiB). */
  maxRecordLength?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

/** Checks one record (a compact JWS read from Redis); rejects with InvalidTokenError / GuardUnavailableError. */
export type ApiKeyRecordVerifier = (record: string) => Promise<VerifiedApiKeyRecord>;

/**
 * Verifies API key records as the guard verifies access tokens: signature by a key of the issuer's JWKS
 * (alg pinned, kid known, no key-carrying header, no `crit`), then readApiKeyRecord's type and claim
 * checks. Signed because Redis carries them: whoever can write Redis must not be able to mint or widen a key.
 *
 * @example
 * const verifyRecord = createApiKeyRecordVerifier({ keys: verifier.keys, issuer, audience, algorithms: ['ES256'] });
 * const { claims } = await verifyRecord(jws);
 */
export function createApiKeyRecordVerifier(options: ApiKeyRecordVerifierOptions): ApiKeyRecordVerifier {
  const { keys, issuer, audience, algorithms } = options;
  if (typeof keys?.getKey !== 'function') throw new TypeError('keys must be a JwksKeyStore (verifier.keys)');
  if (typeof issuer !== 'string' || issuer === '') throw new TypeError('issuer must be a non-empty string');
  if (typeof audience !== 'string' || audience === '')
    throw new TypeError('audience must be a non-empty string');
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw new TypeError('algorithms must not be empty');
  const maxLength = options.maxRecordLength ?? 8192;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1)
    throw new TypeError('maxRecordLength must be a positive integer');
  const now = options.now ?? Date.now;

  return async (record) => {
    const { header, claims } = await verifyCompactJws(record, { keys, algorithms, maxLength });
    return { claims: readApiKeyRecord(header, claims, { issuer, audience }, now()), keyId: header.kid };
  };
}
