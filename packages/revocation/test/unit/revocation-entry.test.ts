import { describe, expect, it } from '@jest/globals';
import { parseRevocationEntry } from '../../src/revocation-entry.js';

const valid = { kind: 'user', value: 'u-1', revokedAt: 1_700_000_000_123, expiresAt: 1_700_003_600_000 };

describe('parseRevocationEntry', () => {
  it('accepts an entry as JSON text or as a parsed value', () => {
    expect(parseRevocationEntry(JSON.stringify(valid))).toEqual(valid);
    expect(parseRevocationEntry(valid)).toEqual(valid);
  });

  it.each(['jti', 'grant', 'user', 'client', 'kid'])('accepts kind %s', (kind) => {
    expect(parseRevocationEntry({ ...valid, kind })?.kind).toBe(kind);
  });

  it('keeps only the known fields', () => {
    expect(parseRevocationEntry({ ...valid, reason: 'x', __proto__: { a: 1 } })).toEqual(valid);
  });

  it.each([
    ['not JSON', '{kind:'],
    ['JSON null', 'null'],
    ['a JSON array', JSON.stringify([valid])],
    ['a JSON number', '42'],
    ['undefined', undefined],
    ['an unknown kind', { ...valid, kind: 'token' }],
    ['a missing kind', { ...valid, kind: undefined }],
    ['an empty value', { ...valid, value: '' }],
    ['a numeric value', { ...valid, value: 12 }],
    ['an oversized value', { ...valid, value: 'x'.repeat(513) }],
    ['revokedAt as a string', { ...valid, revokedAt: '1700000000123' }],
    ['revokedAt as an ISO date', { ...valid, revokedAt: '2023-11-14T22:13:20Z' }],
    ['a fractional expiresAt', { ...valid, expiresAt: 1.5 }],
    ['a negative expiresAt', { ...valid, expiresAt: -1 }],
    ['a NaN revokedAt', { ...valid, revokedAt: Number.NaN }],
    ['an infinite expiresAt', { ...valid, expiresAt: Number.POSITIVE_INFINITY }],
    ['a missing expiresAt', { kind: 'jti', value: 'a', revokedAt: 1 }],
  ])('rejects %s', (_name, input) => {
    expect(parseRevocationEntry(input)).toBeUndefined();
  });
});
