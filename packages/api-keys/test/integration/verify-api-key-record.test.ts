import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAccessTokenVerifier, GuardUnavailableError, InvalidTokenError } from '@portcullis/guard';
import {
  createTestSigningKey,
  encodeSegment,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { createApiKeyRecordVerifier } from '../../src/verify-api-key-record.js';
import { forgeApiKeyRecord, testHashKey } from '../support/record-forge.js';

const base = {
  issuer: 'https://auth.records.test',
  audience: 'https://api.records.test',
  hashKey: testHashKey(),
};

/** Records are checked with the guard's JWKS cache, over a real loopback JWKS endpoint. */
describe('createApiKeyRecordVerifier', () => {
  let key: TestSigningKey;
  let stranger: TestSigningKey;
  let jwks: JwksServer;

  beforeAll(async () => {
    key = await createTestSigningKey('ES256');
    stranger = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
  });
  afterAll(async () => {
    await jwks?.close();
  });

  const verifierFor = (cooldownSeconds = 30) => {
    const tokens = createAccessTokenVerifier({
      issuer: base.issuer,
      audience: base.audience,
      jwksUri: jwks.url,
      jwks: { unknownKidCooldownSeconds: cooldownSeconds },
    });
    return createApiKeyRecordVerifier({
      keys: tokens.keys,
      issuer: base.issuer,
      audience: base.audience,
      algorithms: ['ES256'],
    });
  };
  const reasonOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'accepted';
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason;
      if (error instanceof GuardUnavailableError) return 'unavailable';
      throw error;
    }
  };

  it('verifies a good record and names its signing key', async () => {
    const { jws, claims } = await forgeApiKeyRecord(key, base);
    const verified = await verifierFor()(jws);
    expect(verified).toEqual({ claims, keyId: key.kid });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['an access token', () => forgeAccessToken(key, base), 'wrong_type'],
    [
      'another audience',
      async () => (await forgeApiKeyRecord(key, base, { claims: { aud: 'https://x.test' } })).jws,
      'wrong_audience',
    ],
    [
      'another issuer',
      async () => (await forgeApiKeyRecord(key, base, { claims: { iss: 'https://x.test' } })).jws,
      'wrong_issuer',
    ],
    [
      'an expired record',
      async () => (await forgeApiKeyRecord(key, base, { claims: { exp: 1000 } })).jws,
      'expired',
    ],
    [
      'a record of the wrong typ',
      async () => (await forgeApiKeyRecord(key, base, { header: { typ: 'JWT' } })).jws,
      'wrong_type',
    ],
    [
      'an alg outside the allowlist',
      async () => {
        const es384 = await createTestSigningKey('ES384', key.kid);
        return (await forgeApiKeyRecord(es384, base)).jws;
      },
      'disallowed_algorithm',
    ],
    [
      'a crit header',
      async () => (await forgeApiKeyRecord(key, base, { header: { crit: ['b64'], b64: true } })).jws,
      'malformed',
    ],
    [
      'an embedded jwk',
      async () => (await forgeApiKeyRecord(key, base, { header: { jwk: key.publicJwk } })).jws,
      'disallowed_header',
    ],
    [
      'alg none',
      async () => `${encodeSegment({ alg: 'none', typ: 'apikey-record+jwt' })}.${encodeSegment({})}.`,
      'malformed',
    ],
    ['junk', async () => 'not-a-record', 'malformed'],
  ])('refuses %s', async (_name, make, reason) => {
    expect(await reasonOf(verifierFor()(await make()))).toBe(reason);
  });

  it('refuses a tampered payload (wider permissions) as a bad signature', async () => {
    const { jws, claims } = await forgeApiKeyRecord(key, base);
    const [header, , signature] = jws.split('.');
    const widened = encodeSegment({
      ...claims,
      permissions: ['items:read', 'items:delete'],
      roles: ['admin'],
    });
    expect(await reasonOf(verifierFor()(`${header}.${widened}.${signature}`))).toBe('bad_signature');
  });

  it('refuses a record signed by a key the JWKS does not publish', async () => {
    const { jws } = await forgeApiKeyRecord(stranger, base);
    expect(await reasonOf(verifierFor()(jws))).toBe('unknown_key');
  });

  it('accepts a record of a newly published key once the JWKS is fetched again', async () => {
    const rotated = await createTestSigningKey('ES256');
    const { jws } = await forgeApiKeyRecord(rotated, base);
    const verify = verifierFor(1);
    // Warm the cache with the old set, then sign with a key published only afterwards.
    expect(await reasonOf(verify((await forgeApiKeyRecord(key, base)).jws))).toBe('accepted');
    expect(await reasonOf(verify(jws))).toBe('unknown_key');
    jwks.publish([key.publicJwk, rotated.publicJwk]);
    const deadline = Date.now() + 5000;
    let reason = await reasonOf(verify(jws));
    while (reason !== 'accepted' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reason = await reasonOf(verify(jws));
    }
    expect(reason).toBe('accepted');
  });
});
