import { describe, expect, it } from '@jest/globals';
import type { JWTPayload } from 'jose';
import { InvalidTokenError } from '../../src/errors.js';
import { readPrincipal } from '../../src/read-principal.js';

const claims: JWTPayload = {
  iss: 'https://auth.example.test',
  sub: 'user-1',
  aud: 'https://api.example.test',
  client_id: 'web',
  grant_id: 'grant-1',
  scope: 'items:read items:write',
  roles: ['editor'],
  permissions: ['items:read'],
  iat: 1000,
  exp: 1300,
  jti: 'jti-1',
};

function reasonOf(payload: JWTPayload): string {
  try {
    readPrincipal(payload, 'kid-1');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  throw new Error('expected readPrincipal to throw');
}

describe('readPrincipal', () => {
  it('reads every field of a user token', () => {
    expect(readPrincipal(claims, 'kid-1')).toEqual({
      kind: 'user',
      subject: 'user-1',
      clientId: 'web',
      scopes: ['items:read', 'items:write'],
      roles: ['editor'],
      permissions: ['items:read'],
      tokenId: 'jti-1',
      grantId: 'grant-1',
      keyId: 'kid-1',
      issuedAt: 1000,
      expiresAt: 1300,
      claims,
      credential: 'access_token',
    });
  });

  it.each<[string, JWTPayload, 'user' | 'client']>([
    ['sub = client_id without grant_id', { sub: 'svc', client_id: 'svc', grant_id: undefined }, 'client'],
    ['sub = client_id with a grant_id', { sub: 'svc', client_id: 'svc', grant_id: 'g' }, 'user'],
    ['sub ≠ client_id without grant_id', { sub: 'u', client_id: 'svc', grant_id: undefined }, 'user'],
  ])('kind for %s is %s', (_name, overrides, kind) => {
    expect(readPrincipal({ ...claims, ...overrides }, 'k').kind).toBe(kind);
  });

  it('splits scope on spaces, ignoring repeated ones, and treats absent lists as empty', () => {
    expect(
      readPrincipal({ ...claims, scope: ' a  b ', roles: undefined, permissions: undefined }, 'k'),
    ).toMatchObject({ scopes: ['a', 'b'], roles: [], permissions: [] });
    expect(readPrincipal({ ...claims, scope: undefined }, 'k').scopes).toEqual([]);
  });

  it.each<[string, JWTPayload]>([
    ['roles as a string', { roles: 'admin' }],
    ['roles with a non-string', { roles: ['admin', null] }],
    ['permissions as an object', { permissions: {} }],
    ['scope as an array', { scope: ['a'] }],
    ['scope as a number', { scope: 1 }],
    ['an empty sub', { sub: '' }],
    ['a missing sub', { sub: undefined }],
    ['a numeric client_id', { client_id: 5 }],
    ['an empty jti', { jti: '' }],
    ['an empty grant_id', { grant_id: '' }],
    ['a grant_id of null', { grant_id: null }],
  ])('refuses %s as invalid_claim', (_name, overrides) => {
    expect(reasonOf({ ...claims, ...overrides })).toBe('invalid_claim');
  });
});
