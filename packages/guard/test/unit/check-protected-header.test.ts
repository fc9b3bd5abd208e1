import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '../../src/errors.js';
import { checkProtectedHeader } from '../../src/jwt/check-protected-header.js';

const reasonOf = (header: Record<string, unknown>, algorithms: readonly string[] = ['ES256']) => {
  try {
    checkProtectedHeader(header, algorithms);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  return 'accepted';
};

describe('checkProtectedHeader', () => {
  it('accepts an allowed alg with no key-carrying parameter and no crit', () => {
    expect(reasonOf({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })).toBe('accepted');
    expect(reasonOf({ alg: 'EdDSA', kid: 'k' }, ['ES256', 'EdDSA'])).toBe('accepted');
  });

  it.each([
    ['missing', {}],
    ['not in the list', { alg: 'ES384' }],
    ['none', { alg: 'none' }],
    ['HS256', { alg: 'HS256' }],
    ['another case', { alg: 'es256' }],
    ['not a string', { alg: ['ES256'] }],
    ['a prototype name', { alg: 'toString' }],
  ])('refuses an alg that is %s as disallowed_algorithm', (_name, header) => {
    expect(reasonOf(header)).toBe('disallowed_algorithm');
  });

  it.each(['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256'])(
    'refuses a %s parameter as disallowed_header',
    (name) => {
      expect(reasonOf({ alg: 'ES256', kid: 'k', [name]: 'anything' })).toBe('disallowed_header');
    },
  );

  it('checks the algorithm before key-carrying parameters', () => {
    expect(reasonOf({ alg: 'HS256', jku: 'https://attacker.example/jwks' })).toBe('disallowed_algorithm');
  });

  it.each([
    ['an extension we do not know', ['exp']],
    ['b64 (RFC 7797), which a JWT must not use', ['b64']],
    ['an empty list', []],
    ['null', null],
  ])('refuses crit naming %s as malformed (RFC 7515 §4.1.11)', (_name, crit) => {
    expect(reasonOf({ alg: 'ES256', kid: 'k', crit, b64: true })).toBe('malformed');
  });
});
