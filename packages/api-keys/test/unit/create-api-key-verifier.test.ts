import { describe, expect, it } from '@jest/globals';
import {
  GuardUnavailableError,
  InvalidTokenError,
  type RevocationCheck,
  type RevocationSubject,
} from '@portcullis/guard';
import { generateApiKey } from '../../src/api-key-format.js';
import { hashApiKey } from '../../src/api-key-hash.js';
import type { ApiKeyRecordClaims } from '../../src/api-key-record.js';
import { createApiKeyVerifier } from '../../src/create-api-key-verifier.js';
import type { VerifiedApiKeyRecord } from '../../src/verify-api-key-record.js';
import { testHashKey } from '../support/record-forge.js';

const NOW_MS = 1_800_000_000_000;
const now = NOW_MS / 1000;
const hashKey = testHashKey();

/** Records as the mirror would hold them (already verified), by key id. */
function recordsOf(...records: VerifiedApiKeyRecord[]) {
  const byId = new Map(records.map((record) => [record.claims.key_id, record]));
  return { get: (id: string) => byId.get(id) };
}

function recordFor(key: { id: string; key: string }, overrides: Partial<ApiKeyRecordClaims> = {}) {
  const claims: ApiKeyRecordClaims = {
    iss: 'https://auth.keys.test',
    aud: 'https://api.keys.test',
    sub: 'user-7',
    client_id: 'api-key',
    owner: 'user',
    key_id: key.id,
    key_hash: hashApiKey(hashKey, key.key),
    scope: 'items:read items:write',
    roles: ['editor'],
    permissions: ['items:read', 'items:write'],
    iat: now - 10,
    exp: now + 300,
    created_at: now - 1000,
    ...overrides,
  };
  return { claims, keyId: 'signing-1' };
}

const notRevoked: RevocationCheck = { isRevoked: () => false };

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidTokenError) return `${error.reason}: ${error.message}`;
    if (error instanceof GuardUnavailableError) return `unavailable: ${error.dependency}`;
    throw error;
  }
  return 'accepted';
}

describe('createApiKeyVerifier', () => {
  const key = generateApiKey();
  const verifierWith = (records = recordsOf(recordFor(key)), revocation: RevocationCheck = notRevoked) =>
    createApiKeyVerifier({ records, hashKey, revocation, now: () => NOW_MS });

  it('answers a good key with a frozen api_key principal', async () => {
    const principal = await verifierWith().verify(key.key);
    expect(principal).toEqual({
      kind: 'user',
      subject: 'user-7',
      clientId: 'api-key',
      scopes: ['items:read', 'items:write'],
      roles: ['editor'],
      permissions: ['items:read', 'items:write'],
      tokenId: key.id,
      grantId: undefined,
      keyId: 'signing-1',
      issuedAt: now - 1000,
      expiresAt: now + 300,
      claims: expect.objectContaining({ key_id: key.id, owner: 'user' }),
      credential: 'api_key',
    });
    expect(Object.isFrozen(principal) && Object.isFrozen(principal.scopes)).toBe(true);
  });

  it('refuses a malformed key before any lookup', async () => {
    const lookups: string[] = [];
    const verifier = createApiKeyVerifier({
      records: {
        get: (id) => {
          lookups.push(id);
          return undefined;
        },
      },
      hashKey,
      revocation: notRevoked,
    });
    for (const bad of ['', 'pcl_', `${key.key}x`, key.key.replace('pcl_', 'pck_'), ` ${key.key}`]) {
      expect(await reasonOf(verifier.verify(bad))).toBe('malformed: the API key is malformed');
    }
    expect(lookups).toEqual([]);
  });

  it('gives an unknown id and a wrong secret the same answer', async () => {
    const unknown = generateApiKey();
    const wrongSecret = `${key.key.slice(0, -4)}AAAA`;
    const verifier = verifierWith();
    const answers = [
      await reasonOf(verifier.verify(unknown.key)),
      await reasonOf(verifier.verify(wrongSecret)),
    ];
    expect(answers).toEqual([
      'unknown_api_key: the API key is not valid',
      'unknown_api_key: the API key is not valid',
    ]);
  });

  it('refuses a key whose record was hashed under another hash key', async () => {
    const other = recordFor(key, { key_hash: hashApiKey(testHashKey(), key.key) });
    expect(await reasonOf(verifierWith(recordsOf(other)).verify(key.key))).toMatch(/^unknown_api_key/);
  });

  it('refuses an expired record and a key past its own expiry', async () => {
    expect(await reasonOf(verifierWith(recordsOf(recordFor(key, { exp: now }))).verify(key.key))).toBe(
      'expired: the API key expired',
    );
    expect(
      await reasonOf(verifierWith(recordsOf(recordFor(key, { key_exp: now - 1 }))).verify(key.key)),
    ).toBe('expired: the API key expired');
    const later = await verifierWith(recordsOf(recordFor(key, { key_exp: now + 60 }))).verify(key.key);
    expect(later.expiresAt).toBe(now + 60);
  });

  it('asks the revocation check with the key id as jti and created_at as iat', async () => {
    const asked: RevocationSubject[] = [];
    const revocation = {
      isRevoked: (subject: RevocationSubject) => {
        asked.push(subject);
        return true;
      },
    };
    expect(await reasonOf(verifierWith(undefined, revocation).verify(key.key))).toBe(
      'revoked: the API key has been revoked',
    );
    expect(asked).toEqual([
      {
        tokenId: key.id,
        grantId: undefined,
        subject: 'user-7',
        clientId: 'api-key',
        keyId: 'signing-1',
        issuedAt: now - 1000,
      },
    ]);
  });

  it('fails closed with 503 when the revocation state cannot be trusted', async () => {
    const stale = new GuardUnavailableError('revocation', 5);
    const throwsStale = { isRevoked: () => Promise.reject(stale) };
    const throwsOther = { isRevoked: () => Promise.reject(new Error('boom')) };
    expect(await reasonOf(verifierWith(undefined, throwsStale).verify(key.key))).toBe(
      'unavailable: revocation',
    );
    expect(await reasonOf(verifierWith(undefined, throwsOther).verify(key.key))).toBe(
      'unavailable: revocation',
    );
  });

  it('refuses to be created without a usable hash key or revocation check', () => {
    const records = recordsOf();
    expect(() =>
      createApiKeyVerifier({ records, hashKey: Buffer.alloc(16), revocation: notRevoked }),
    ).toThrow(TypeError);
    expect(() => createApiKeyVerifier({ records, hashKey, revocation: undefined as never })).toThrow(
      TypeError,
    );
  });
});
