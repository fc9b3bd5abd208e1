import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { API_KEY_RECORD_TYP, USER_API_KEY_CLIENT_ID } from '@portcullis/api-keys';
import type { PublishableApiKey } from '@portcullis/db';
import { compactVerify, importJWK } from 'jose';
import { apiKeyAuthority } from '../../src/api-keys/api-key-authority.js';
import { createApiKeyRecordSigner } from '../../src/api-keys/api-key-record-signer.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { generateSigningKey, type SigningAlg } from '../../src/keys/signing-key-material.js';
import { testEnvironment } from '../support/test-environment.js';

const key = (changes: Partial<PublishableApiKey> = {}): PublishableApiKey => ({
  id: '0123456789abcdef0123',
  secretHash: 'hash',
  ownerType: 'user',
  ownerId: '6f1c2a8e-3b0d-4f5e-9a7b-1c2d3e4f5a6b',
  resource: 'https://api.portcullis.test',
  scopes: ['items:read'],
  roles: [],
  permissions: [],
  expiresAt: null,
  createdAt: new Date('2026-11-22T10:00:00.000Z'),
  ownerRoles: [],
  ownerPermissions: [],
  ownerScopes: undefined,
  ...changes,
});

describe('apiKeyAuthority: a record never states more than the owner holds now', () => {
  it('keeps held roles with the permissions they carry, and held permissions', () => {
    const authority = apiKeyAuthority(
      key({
        roles: ['editor', 'gone'],
        permissions: ['reports:read', 'items:delete'],
        ownerRoles: [{ name: 'editor', permissions: ['items:read', 'items:write'] }],
        ownerPermissions: ['reports:read'],
      }),
    );
    expect(authority).toEqual({
      scopes: ['items:read'],
      roles: ['editor'],
      permissions: ['items:read', 'items:write', 'reports:read'],
    });
  });

  it('drops admin permissions, and scopes a client may no longer ask for', () => {
    const authority = apiKeyAuthority(
      key({
        ownerType: 'client',
        scopes: ['items:read', 'items:write'],
        permissions: ['admin:users:write', 'items:read'],
        ownerPermissions: ['admin:users:write', 'items:read'],
        ownerScopes: ['items:read'],
      }),
    );
    expect(authority).toEqual({ scopes: ['items:read'], roles: [], permissions: ['items:read'] });
  });
});

describe('createApiKeyRecordSigner', () => {
  const signerWith = async (alg: SigningAlg) => {
    const generated = await generateSigningKey(alg);
    const ring = {
      signingKid: generated.kid,
      signingAlg: alg,
      privateJwks: [generated.privateJwk],
      fingerprint: '',
    };
    const sign = createApiKeyRecordSigner({
      issuer: 'https://auth.portcullis.test',
      keyRing: () => ring,
      recordLifetimeSeconds: 600,
    });
    return { sign, generated };
  };

  it.each<SigningAlg>(['ES256', 'EdDSA', 'PS256'])(
    'signs a %s record that verifies with the public key, typed apikey-record+jwt',
    async (alg) => {
      const { sign, generated } = await signerWith(alg);
      const now = new Date('2026-11-22T12:00:00.000Z');
      const { jws, claims } = sign(key(), now);
      const verified = await compactVerify(jws, await importJWK(generated.publicJwk, alg), {
        algorithms: [alg],
      });
      expect(verified.protectedHeader).toEqual({ alg, kid: generated.kid, typ: API_KEY_RECORD_TYP });
      expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(claims);
      expect(claims).toEqual({
        iss: 'https://auth.portcullis.test',
        aud: 'https://api.portcullis.test',
        sub: key().ownerId,
        client_id: USER_API_KEY_CLIENT_ID,
        owner: 'user',
        key_id: key().id,
        key_hash: 'hash',
        scope: 'items:read',
        roles: [],
        permissions: [],
        iat: now.getTime() / 1000,
        exp: now.getTime() / 1000 + 600,
        created_at: key().createdAt.getTime() / 1000,
      });
    },
  );

  it("never lets a record outlive the key's own expiry", async () => {
    const { sign } = await signerWith('ES256');
    const now = new Date('2026-11-22T12:00:00.000Z');
    const expiresAt = new Date(now.getTime() + 60_000);
    const { claims } = sign(key({ expiresAt, ownerType: 'client', ownerId: 'svc' }), now);
    expect(claims).toMatchObject({ exp: expiresAt.getTime() / 1000, key_exp: expiresAt.getTime() / 1000 });
    expect(claims).toMatchObject({ sub: 'svc', client_id: 'svc', owner: 'client' });
  });
});

describe('loadConfig: API_KEY_HASH_KEY', () => {
  const problemsOf = (env: Record<string, string | undefined>): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };
  const valid = () => testEnvironment('postgres://postgres@127.0.0.1:5432/portcullis');

  it('is required, at least 32 bytes, and accepts longer keys', () => {
    expect(problemsOf({ ...valid(), API_KEY_HASH_KEY: undefined })).toEqual([
      expect.stringMatching(/^API_KEY_HASH_KEY:/),
    ]);
    expect(problemsOf({ ...valid(), API_KEY_HASH_KEY: randomBytes(31).toString('base64url') })).toEqual([
      'API_KEY_HASH_KEY: must be at least 32 bytes, base64url-encoded',
    ]);
    const long = randomBytes(64);
    expect(loadConfig({ ...valid(), API_KEY_HASH_KEY: long.toString('base64url') }).apiKeyHashKey).toEqual(
      long,
    );
  });

  it('must differ from the other secrets, and be a production secret in production', () => {
    const env = valid();
    expect(problemsOf({ ...env, API_KEY_HASH_KEY: env.CLIENT_SECRET_PEPPER })).toEqual([
      'API_KEY_HASH_KEY: must differ from KEY_ENCRYPTION_KEY and CLIENT_SECRET_PEPPER',
    ]);
    const production = {
      ...env,
      PORTCULLIS_MODE: 'production',
      ISSUER: 'https://auth.example.com',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    expect(
      problemsOf({ ...production, API_KEY_HASH_KEY: Buffer.alloc(32, 'a').toString('base64url') }),
    ).toContainEqual(expect.stringMatching(/^API_KEY_HASH_KEY: does not look random/));
  });
});
