import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError, type InvalidTokenReason } from '../../src/errors.js';
import {
  type AccessTokenClaimRules,
  validateAccessTokenClaims,
} from '../../src/jwt/validate-access-token-claims.js';

const NOW = 1_750_000_000;
const rules: AccessTokenClaimRules = {
  issuer: 'https://auth.example.test',
  audience: 'https://api.example.test',
  clockToleranceSeconds: 5,
  maxTokenAgeSeconds: 3600,
};
const header = { alg: 'ES256', typ: 'at+jwt', kid: 'k1' };
const claims = {
  iss: rules.issuer,
  sub: 'user-1',
  aud: rules.audience,
  client_id: 'web',
  iat: NOW - 10,
  exp: NOW + 290,
  jti: 'jti-1',
};

/** Validates at NOW (epoch ms, with a fraction to show it is floored) with `changes` applied. */
function validate(
  changes: { header?: Record<string, unknown>; claims?: Record<string, unknown>; at?: number } = {},
) {
  const merged: Record<string, unknown> = { ...claims };
  for (const [name, value] of Object.entries(changes.claims ?? {})) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return validateAccessTokenClaims(
    { ...header, ...changes.header },
    merged,
    rules,
    (changes.at ?? NOW) * 1000 + 999,
  );
}

function reasonOf(changes: Parameters<typeof validate>[0]): InvalidTokenReason {
  try {
    validate(changes);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  throw new Error('expected a refusal');
}

describe('validateAccessTokenClaims', () => {
  it('returns the claims of a valid access token', () => {
    expect(validate()).toEqual(claims);
  });

  describe('typ (RFC 9068 §2.1)', () => {
    it.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT'])('accepts %s', (typ) => {
      expect(() => validate({ header: { typ } })).not.toThrow();
    });
    it.each([
      ['JWT', 'JWT'],
      ['application/jwt', 'application/jwt'],
      ['another prefix', 'text/at+jwt'],
      ['a suffix only', '+jwt'],
      ['a number', 1],
      ['absent', undefined],
    ])('refuses %s as wrong_type', (_name, typ) => {
      const changed = typ === undefined ? { ...header, typ: undefined } : { typ };
      expect(reasonOf({ header: changed })).toBe('wrong_type');
    });
    it('is checked before the claims', () => {
      expect(reasonOf({ header: { typ: 'JWT' }, claims: { iss: undefined } })).toBe('wrong_type');
    });
  });

  describe('required claims', () => {
    it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'])(
      'refuses a token without %s',
      (claim) => {
        expect(reasonOf({ claims: { [claim]: undefined } })).toBe('missing_claim');
      },
    );
    it('counts a claim present with null as present (its type is checked later)', () => {
      expect(reasonOf({ claims: { exp: null } })).toBe('invalid_claim');
    });
    it('does not take an inherited property for a claim', () => {
      const inherited = Object.create({ jti: 'from-the-prototype' }) as Record<string, unknown>;
      Object.assign(inherited, claims);
      delete inherited.jti;
      expect(() => validateAccessTokenClaims(header, inherited, rules, NOW * 1000)).toThrow(
        expect.objectContaining({ reason: 'missing_claim' }),
      );
    });
  });

  describe('iss', () => {
    it.each([
      ['another issuer', 'https://evil.example.test'],
      ['a trailing slash', `${rules.issuer}/`],
      ['another case', rules.issuer.toUpperCase()],
      ['an array holding ours', [rules.issuer]],
      ['null', null],
    ])('refuses %s as wrong_issuer', (_name, iss) => {
      expect(reasonOf({ claims: { iss } })).toBe('wrong_issuer');
    });
  });

  describe('aud', () => {
    it('accepts ours as a string, or in an array', () => {
      expect(() => validate({ claims: { aud: rules.audience } })).not.toThrow();
      expect(() => validate({ claims: { aud: ['https://a.example.test', rules.audience] } })).not.toThrow();
    });
    it.each([
      ['another audience', 'https://other.example.test'],
      ['an array without ours', ['https://a.example.test']],
      ['an empty array', []],
      ['a trailing slash', `${rules.audience}/`],
      ['an object', { [rules.audience]: true }],
      ['a number', 7],
    ])('refuses %s as wrong_audience', (_name, aud) => {
      expect(reasonOf({ claims: { aud } })).toBe('wrong_audience');
    });
  });

  describe('time claims must be numbers', () => {
    it.each([
      ['iat', String(NOW)],
      ['exp', String(NOW + 60)],
      ['nbf', String(NOW)],
      ['nbf', null],
      ['exp', true],
    ])('refuses a non-numeric %s (%p) as invalid_claim', (claim, value) => {
      expect(reasonOf({ claims: { [claim]: value } })).toBe('invalid_claim');
    });
    it('accepts a fractional NumericDate (RFC 7519 §2)', () => {
      expect(() => validate({ claims: { exp: NOW + 0.5, iat: NOW - 0.5 } })).not.toThrow();
    });
  });

  describe('exp: refused once exp <= now - tolerance', () => {
    it('accepts exp = now - tolerance + 1', () => {
      expect(() => validate({ claims: { exp: NOW - 4 } })).not.toThrow();
    });
    it('refuses exp = now - tolerance', () => {
      expect(reasonOf({ claims: { exp: NOW - 5 } })).toBe('expired');
    });
    it('uses whole seconds: the milliseconds of the clock do not count', () => {
      expect(() => validate({ claims: { exp: NOW - 4 }, at: NOW })).not.toThrow();
    });
  });

  describe('nbf: refused while nbf > now + tolerance', () => {
    it('accepts nbf = now + tolerance', () => {
      expect(() => validate({ claims: { nbf: NOW + 5 } })).not.toThrow();
    });
    it('refuses nbf = now + tolerance + 1', () => {
      expect(reasonOf({ claims: { nbf: NOW + 6 } })).toBe('not_yet_valid');
    });
    it('is optional', () => {
      expect(() => validate({ claims: { nbf: undefined } })).not.toThrow();
    });
  });

  describe('iat: not in the future beyond the tolerance', () => {
    it('accepts iat = now + tolerance', () => {
      expect(() => validate({ claims: { iat: NOW + 5 } })).not.toThrow();
    });
    it('refuses iat = now + tolerance + 1', () => {
      expect(reasonOf({ claims: { iat: NOW + 6 } })).toBe('issued_in_future');
    });
  });

  describe('maximum age: refused once now - iat - tolerance > maxTokenAge', () => {
    it('accepts iat = now - maxTokenAge - tolerance', () => {
      expect(() => validate({ claims: { iat: NOW - 3600 - 5 } })).not.toThrow();
    });
    it('refuses iat = now - maxTokenAge - tolerance - 1, whatever exp says', () => {
      expect(reasonOf({ claims: { iat: NOW - 3600 - 6, exp: NOW + 3600 } })).toBe('too_old');
    });
    it('follows the configured maximum age', () => {
      const strict = { ...rules, maxTokenAgeSeconds: 60 };
      const at = (iat: number) => () =>
        validateAccessTokenClaims(header, { ...claims, iat }, strict, NOW * 1000);
      expect(at(NOW - 65)).not.toThrow();
      expect(at(NOW - 66)).toThrow(expect.objectContaining({ reason: 'too_old' }));
    });
  });

  describe('a clock tolerance of zero', () => {
    const exact = { ...rules, clockToleranceSeconds: 0 };
    const check = (changes: Record<string, unknown>) => () =>
      validateAccessTokenClaims(header, { ...claims, ...changes }, exact, NOW * 1000);
    it('refuses exp = now, accepts exp = now + 1', () => {
      expect(check({ exp: NOW })).toThrow(expect.objectContaining({ reason: 'expired' }));
      expect(check({ exp: NOW + 1 })).not.toThrow();
    });
    it('refuses nbf = now + 1 and iat = now + 1, accepts both at now', () => {
      expect(check({ nbf: NOW + 1 })).toThrow(expect.objectContaining({ reason: 'not_yet_valid' }));
      expect(check({ iat: NOW + 1 })).toThrow(expect.objectContaining({ reason: 'issued_in_future' }));
      expect(check({ nbf: NOW, iat: NOW })).not.toThrow();
    });
  });

  describe('order: the first failing rule names the reason (as jose did)', () => {
    it.each<[string, Record<string, unknown>, InvalidTokenReason]>([
      ['missing before issuer', { jti: undefined, iss: 'https://evil.example.test' }, 'missing_claim'],
      ['issuer before audience', { iss: 'https://evil.example.test', aud: 'x' }, 'wrong_issuer'],
      ['audience before times', { aud: 'x', exp: NOW - 100 }, 'wrong_audience'],
      ['iat type before nbf', { iat: 'soon', nbf: NOW + 100 }, 'invalid_claim'],
      ['nbf before exp', { nbf: NOW + 100, exp: NOW - 100 }, 'not_yet_valid'],
      ['exp before age', { exp: NOW - 100, iat: NOW - 4000 }, 'expired'],
    ])('%s', (_name, changes, reason) => {
      expect(reasonOf({ claims: changes })).toBe(reason);
    });
  });

  it('refuses rather than passes when the clock is not a number', () => {
    expect(() => validateAccessTokenClaims(header, claims, rules, Number.NaN)).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });
});
