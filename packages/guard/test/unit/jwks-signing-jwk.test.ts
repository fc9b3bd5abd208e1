import { describe, expect, it } from '@jest/globals';
import {
  jwkFitsAlgorithm,
  type PublicSigningJwk,
  selectSigningJwk,
  supportedSigningAlgorithms,
  toPublicSigningJwk,
} from '../../src/jwks/signing-jwk.js';

const ec = { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy', kid: 'ec', alg: 'ES256', use: 'sig' };
const okp = { kty: 'OKP', crv: 'Ed25519', x: 'xx', kid: 'ed' };
const rsa = { kty: 'RSA', n: 'nn', e: 'AQAB', kid: 'rsa', key_ops: ['verify'] };

describe('toPublicSigningJwk', () => {
  it('keeps only the public members of usable signing keys', () => {
    expect(toPublicSigningJwk({ ...ec, x5c: ['cert'], ext: true })).toEqual({
      kid: 'ec',
      alg: 'ES256',
      kty: 'EC',
      crv: 'P-256',
      x: 'xx',
      y: 'yy',
    });
    expect(toPublicSigningJwk(okp)).toEqual({ kid: 'ed', kty: 'OKP', crv: 'Ed25519', x: 'xx' });
    expect(toPublicSigningJwk(rsa)).toEqual({ kid: 'rsa', kty: 'RSA', n: 'nn', e: 'AQAB' });
  });

  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'])(
    'drops an entry carrying private member %s',
    (member) => {
      expect(toPublicSigningJwk({ ...ec, [member]: 'secret' })).toBeUndefined();
    },
  );

  it.each([
    ['no kid', { ...ec, kid: undefined }],
    ['an empty kid', { ...ec, kid: '' }],
    ['a numeric kid', { ...ec, kid: 1 }],
    ['use enc', { ...ec, use: 'enc' }],
    ['key_ops without verify', { ...ec, key_ops: ['sign'] }],
    ['key_ops that is not an array', { ...ec, key_ops: 'verify' }],
    ['a symmetric alg', { ...ec, alg: 'HS256' }],
    ['alg none', { ...ec, alg: 'none' }],
    ['an encryption alg', { ...rsa, alg: 'RSA-OAEP' }],
    ['kty oct', { kty: 'oct', kid: 'hmac' }],
    ['an unknown kty', { ...ec, kty: 'AKP' }],
    ['EC without y', { ...ec, y: undefined }],
    ['RSA without n', { ...rsa, n: undefined }],
    ['OKP with a non-string x', { ...okp, x: 42 }],
  ])('drops an entry with %s', (_name, entry) => {
    expect(toPublicSigningJwk(JSON.parse(JSON.stringify(entry)))).toBeUndefined();
  });

  it.each([null, 'key', 42, [ec]])('drops a non-object entry %p', (entry) => {
    expect(toPublicSigningJwk(entry)).toBeUndefined();
  });

  it('accepts key_ops listing verify among others', () => {
    expect(toPublicSigningJwk({ ...ec, key_ops: ['sign', 'verify'] })).toBeDefined();
  });
});

describe('jwkFitsAlgorithm', () => {
  const key = (entry: object) => toPublicSigningJwk(entry) as PublicSigningJwk;

  it('matches the key type and curve each algorithm needs', () => {
    const p256 = key({ ...ec, alg: undefined });
    expect(jwkFitsAlgorithm(p256, 'ES256')).toBe(true);
    expect(jwkFitsAlgorithm(p256, 'ES384')).toBe(false);
    expect(jwkFitsAlgorithm(key({ ...ec, crv: 'P-521', alg: undefined }), 'ES512')).toBe(true);
    expect(jwkFitsAlgorithm(key(okp), 'EdDSA')).toBe(true);
    expect(jwkFitsAlgorithm(key(okp), 'Ed25519')).toBe(true);
    expect(jwkFitsAlgorithm(key({ ...okp, crv: 'X25519' }), 'EdDSA')).toBe(false);
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
      expect(jwkFitsAlgorithm(key(rsa), alg)).toBe(true);
      expect(jwkFitsAlgorithm(p256, alg)).toBe(false);
    }
    expect(jwkFitsAlgorithm(key(rsa), 'ES256')).toBe(false);
  });

  it('honours the alg pin of the JWK', () => {
    expect(jwkFitsAlgorithm(key({ ...rsa, alg: 'RS256' }), 'PS256')).toBe(false);
    expect(jwkFitsAlgorithm(key({ ...okp, alg: 'EdDSA' }), 'Ed25519')).toBe(false);
  });

  it('rejects algorithms it does not know, including prototype names', () => {
    for (const alg of ['HS256', 'none', 'toString', '__proto__', 'constructor']) {
      expect(jwkFitsAlgorithm(key(rsa), alg)).toBe(false);
    }
  });
});

describe('selectSigningJwk', () => {
  it('picks the first key with that kid that fits the algorithm', () => {
    const keys = [ec, { ...okp, kid: 'ec' }, { ...ec, x: 'other' }].map(
      (entry) => toPublicSigningJwk(entry)!,
    );
    expect(selectSigningJwk(keys, 'ec', 'ES256')).toMatchObject({ x: 'xx', kty: 'EC' });
    expect(selectSigningJwk(keys, 'ec', 'EdDSA')).toMatchObject({ kty: 'OKP' });
    expect(selectSigningJwk(keys, 'missing', 'ES256')).toBeUndefined();
  });
});

it('lists only asymmetric JWS algorithms as supported', () => {
  expect([...supportedSigningAlgorithms].sort()).toEqual(
    [
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'Ed25519',
      'PS256',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ].sort(),
  );
});
