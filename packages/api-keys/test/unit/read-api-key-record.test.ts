import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '@portcullis/guard';
import { API_KEY_RECORD_TYP } from '../../src/api-key-record.js';
import { readApiKeyRecord } from '../../src/read-api-key-record.js';

const rules = { issuer: 'https://auth.keys.test', audience: 'https://api.keys.test' };
const NOW_MS = 1_800_000_000_000;
const now = NOW_MS / 1000;
const header = { alg: 'ES256', kid: 'k1', typ: API_KEY_RECORD_TYP };
const claims = {
  iss: rules.issuer,
  aud: rules.audience,
  sub: 'service-a',
  client_id: 'service-a',
  owner: 'client',
  key_id: '0123456789abcdef0123',
  key_hash: 'hash',
  scope: 'items:read items:write',
  roles: ['editor'],
  permissions: ['items:read'],
  iat: now - 10,
  exp: now + 300,
  created_at: now - 100,
};

function reasonOf(headerOverrides: Record<string, unknown>, claimOverrides: Record<string, unknown>): string {
  const merged: Record<string, unknown> = { ...claims, ...claimOverrides };
  for (const [name, value] of Object.entries(claimOverrides)) if (value === undefined) delete merged[name];
  try {
    readApiKeyRecord({ ...header, ...headerOverrides }, merged, rules, NOW_MS);
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('readApiKeyRecord', () => {
  it('reads a valid record, with and without key_exp', () => {
    expect(readApiKeyRecord(header, { ...claims }, rules, NOW_MS)).toEqual(claims);
    expect(readApiKeyRecord(header, { ...claims, key_exp: now + 9999 }, rules, NOW_MS).key_exp).toBe(
      now + 9999,
    );
    expect(reasonOf({ typ: `application/${API_KEY_RECORD_TYP}` }, {})).toBe('accepted');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an access token typ', { typ: 'at+jwt' }, 'wrong_type'],
    ['no typ', { typ: undefined }, 'wrong_type'],
    ['a JWT typ', { typ: 'JWT' }, 'wrong_type'],
  ])('refuses %s', (_name, headerOverrides, reason) => {
    expect(reasonOf(headerOverrides, {})).toBe(reason);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['another issuer', { iss: 'https://evil.test' }, 'wrong_issuer'],
    ['another audience', { aud: 'https://other.test' }, 'wrong_audience'],
    ['an audience array', { aud: [rules.audience] }, 'wrong_audience'],
    ['an expired record', { exp: now }, 'expired'],
    ['a missing key_hash', { key_hash: undefined }, 'missing_claim'],
    ['a missing created_at', { created_at: undefined }, 'missing_claim'],
    ['roles as a string', { roles: 'admin' }, 'invalid_claim'],
    ['permissions with a number', { permissions: ['items:read', 1] }, 'invalid_claim'],
    ['an unknown owner', { owner: 'robot' }, 'invalid_claim'],
    ['a key_id not in the key format', { key_id: 'ZZZ' }, 'invalid_claim'],
    ['an empty sub', { sub: '' }, 'invalid_claim'],
    ['a scope array', { scope: ['items:read'] }, 'invalid_claim'],
    ['a string exp', { exp: String(now + 300) }, 'invalid_claim'],
    ['a fractional iat', { iat: now + 0.5 }, 'invalid_claim'],
    ['a string key_exp', { key_exp: 'never' }, 'invalid_claim'],
  ])('refuses %s', (_name, overrides, reason) => {
    expect(reasonOf({}, overrides)).toBe(reason);
  });
});
