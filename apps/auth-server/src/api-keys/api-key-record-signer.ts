import type { ApiKeyRecordClaims } from '@portcullis/api-keys';
import { API_KEY_RECORD_TYP, USER_API_KEY_CLIENT_ID } from '@portcullis/api-keys';
import type { PublishableApiKey } from '@portcullis/db';
import { NodeCryptoSigningKey } from '../keys/node-crypto-signing-key.js';
import type { KeyRing } from '../keys/signing-key-ring.js';
import { apiKeyAuthority } from './api-key-authority.js';

export interface ApiKeyRecordSignerOptions {
  issuer: string;
  /** The provider host's current key ring: records are signed with the key that signs access tokens. */
  keyRing: () => KeyRing;
  /**
   * The longest access-token lifetime, in seconds: no record outlives it, so retiring a signing key (which
   * waits that long after the key stops signing) also ends every record it signed.
   */
  recordLifetimeSeconds: number;
}

export interface SignedApiKeyRecord {
  /** The compact JWS: what Redis holds and the channel carries. */
  jws: string;
  claims: ApiKeyRecordClaims;
}

export type SignApiKeyRecord = (key: PublishableApiKey, now?: Date) => SignedApiKeyRecord;

/**
 * Signs API key records (packages/api-keys api-key-record.ts) as compact JWS `{ alg, kid, typ:
 * apikey-record+jwt }` with the current signing key, through node:crypto like the provider's own tokens
 * (keys/node-crypto-signing-key.ts: synchronous, never queued behind argon2 on the thread pool). Resource
 * servers verify them against the JWKS they already trust; whoever can write Redis cannot forge one.
 *
 * @example
 * const sign = createApiKeyRecordSigner({ issuer, keyRing: () => providerHost.keyRing(), recordLifetimeSeconds: 600 });
 * const { jws, claims } = sign(key);
 */
export function createApiKeyRecordSigner(options: ApiKeyRecordSignerOptions): SignApiKeyRecord {
  const { issuer, keyRing, recordLifetimeSeconds } = options;
  if (!Number.isInteger(recordLifetimeSeconds) || recordLifetimeSeconds < 1) {
    throw new TypeError('createApiKeyRecordSigner: recordLifetimeSeconds must be a positive integer');
  }
  // One KeyObject per kid, made once (parsing a JWK costs more than signing with it).
  const signers = new Map<string, NodeCryptoSigningKey>();
  const signerFor = (ring: KeyRing): NodeCryptoSigningKey => {
    const cached = signers.get(ring.signingKid);
    if (cached) return cached;
    const jwk = ring.privateJwks.find((candidate) => candidate.kid === ring.signingKid);
    if (!jwk) throw new Error(`signing key ${ring.signingKid} is not in the key ring`);
    const signer = new NodeCryptoSigningKey(jwk);
    signers.clear();
    signers.set(ring.signingKid, signer);
    return signer;
  };

  return (key, now = new Date()) => {
    const signer = signerFor(keyRing());
    const iat = Math.floor(now.getTime() / 1000);
    const keyExp = key.expiresAt ? Math.floor(key.expiresAt.getTime() / 1000) : undefined;
    const { scopes, roles, permissions } = apiKeyAuthority(key);
    const claims: ApiKeyRecordClaims = {
      iss: issuer,
      aud: key.resource,
      sub: key.ownerId,
      client_id: key.ownerType === 'client' ? key.ownerId : USER_API_KEY_CLIENT_ID,
      owner: key.ownerType,
      key_id: key.id,
      key_hash: key.secretHash,
      scope: scopes.join(' '),
      roles,
      permissions,
      iat,
      exp: Math.min(iat + recordLifetimeSeconds, keyExp ?? Number.POSITIVE_INFINITY),
      created_at: Math.floor(key.createdAt.getTime() / 1000),
      ...(keyExp === undefined ? {} : { key_exp: keyExp }),
    };
    const header = { alg: signer.alg, kid: signer.kid, typ: API_KEY_RECORD_TYP };
    const input = `${base64url(header)}.${base64url(claims)}`;
    const signature = signer.sign(Buffer.from(input, 'ascii')).toString('base64url');
    return { jws: `${input}.${signature}`, claims };
  };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
