import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TestSigningKey } from '../../../../test/support/token-forge.js';
import { generateApiKey, type IssuedApiKey } from '../../src/api-key-format.js';
import { hashApiKey } from '../../src/api-key-hash.js';
import { API_KEY_RECORD_TYP, type ApiKeyRecordClaims } from '../../src/api-key-record.js';
import { apiKeyRecordKey } from '../../src/redis-layout.js';

/** A per-run hash key: nothing outside a test fixture ever hashes with it. */
export function testHashKey(): Buffer {
  return randomBytes(32);
}

export interface RecordBase {
  issuer: string;
  audience: string;
  hashKey: Buffer;
}

export interface ForgeRecordOptions {
  /** Merged over a complete, valid claim set; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Replaces protected-header parameters (alg and kid are the key's unless given). */
  header?: Record<string, unknown>;
}

export interface ForgedApiKey {
  issued: IssuedApiKey;
  claims: ApiKeyRecordClaims;
  /** The signed record, as the auth server would publish it. */
  jws: string;
}

/**
 * A new API key and the record the auth server would publish for it, signed by `key`: a client's key with
 * `items:read` by default, valid for five minutes.
 */
export async function forgeApiKeyRecord(
  key: TestSigningKey,
  base: RecordBase,
  options: ForgeRecordOptions = {},
  issued: IssuedApiKey = generateApiKey(),
): Promise<ForgedApiKey> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: base.issuer,
    aud: base.audience,
    sub: 'service-a',
    client_id: 'service-a',
    owner: 'client',
    key_id: issued.id,
    key_hash: hashApiKey(base.hashKey, issued.key),
    scope: 'items:read',
    roles: [],
    permissions: ['items:read'],
    iat: now,
    exp: now + 300,
    created_at: now - 60,
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  const jws = await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: API_KEY_RECORD_TYP, ...options.header } as never)
    .sign(key.privateKey);
  return { issued, claims: claims as unknown as ApiKeyRecordClaims, jws };
}

/** The Redis key the auth server writes the record of `id` under. */
export function recordKey(keyPrefix: string, id: string): string {
  return apiKeyRecordKey(keyPrefix, id);
}
