import { describe, expect, it } from '@jest/globals';
import type { RevocationSubject } from '@portcullis/guard';
import type { RevocationEntry } from '../../src/revocation-entry.js';
import { createRevocationSet } from '../../src/revocation-set.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

const token: RevocationSubject = {
  tokenId: 'jti-1',
  grantId: 'grant-1',
  subject: 'user-1',
  clientId: 'client-1',
  keyId: 'kid-1',
  issuedAt: NOW / 1000,
};

function entry(overrides: Partial<RevocationEntry>): RevocationEntry {
  return { kind: 'jti', value: 'jti-1', revokedAt: NOW, expiresAt: NOW + HOUR, ...overrides };
}

describe('createRevocationSet', () => {
  it('refuses nothing when empty', () => {
    const set = createRevocationSet();
    expect(set.isRevoked(token, NOW)).toBe(false);
    expect(set.size).toBe(0);
  });

  it.each([
    ['jti', 'jti-1'],
    ['grant', 'grant-1'],
    ['kid', 'kid-1'],
  ] as const)('matches %s by value, whatever the revocation instant', (kind, value) => {
    const set = createRevocationSet();
    set.add(entry({ kind, value, revokedAt: NOW - HOUR }));
    expect(set.isRevoked(token, NOW)).toBe(true);
    expect(set.isRevoked({ ...token, tokenId: 'x', grantId: 'x', keyId: 'x' }, NOW)).toBe(false);
  });

  it('does not match a grant revocation for a token without a grant', () => {
    const set = createRevocationSet();
    set.add(entry({ kind: 'grant', value: 'grant-1' }));
    expect(set.isRevoked({ ...token, grantId: undefined }, NOW)).toBe(false);
  });

  it('does not confuse kinds: a user id revoked as a jti does not revoke the user', () => {
    const set = createRevocationSet();
    set.add(entry({ kind: 'jti', value: 'user-1' }));
    expect(set.isRevoked(token, NOW)).toBe(false);
  });

  describe.each([
    ['user', 'user-1'],
    ['client', 'client-1'],
  ] as const)('%s revocations (revokedAt >= iat)', (kind, value) => {
    const iat = token.issuedAt;

    it('refuse a token issued before the revocation', () => {
      const set = createRevocationSet();
      set.add(entry({ kind, value, revokedAt: (iat + 5) * 1000 }));
      expect(set.isRevoked(token, NOW)).toBe(true);
    });

    it('refuse a token issued in the same second, at either end of it', () => {
      const early = createRevocationSet();
      early.add(entry({ kind, value, revokedAt: iat * 1000 }));
      expect(early.isRevoked(token, NOW)).toBe(true);
      const late = createRevocationSet();
      late.add(entry({ kind, value, revokedAt: iat * 1000 + 999 }));
      expect(late.isRevoked(token, NOW)).toBe(true);
    });

    it('accept a token issued the second after', () => {
      const set = createRevocationSet();
      set.add(entry({ kind, value, revokedAt: iat * 1000 - 1 }));
      expect(set.isRevoked(token, NOW)).toBe(false);
      set.add(entry({ kind, value, revokedAt: (iat - 1) * 1000 }));
      expect(set.isRevoked(token, NOW)).toBe(false);
    });
  });

  it('ignores an entry once expiresAt is reached (only expiresAt > now counts)', () => {
    const set = createRevocationSet();
    set.add(entry({ expiresAt: NOW + 10 }));
    expect(set.isRevoked(token, NOW + 9)).toBe(true);
    expect(set.isRevoked(token, NOW + 10)).toBe(false);
  });

  it('merges a second revocation of the same value like GREATEST: later revokedAt, later expiresAt', () => {
    const set = createRevocationSet();
    set.add(entry({ kind: 'user', value: 'user-1', revokedAt: NOW + 60_000, expiresAt: NOW + HOUR }));
    set.add(entry({ kind: 'user', value: 'user-1', revokedAt: NOW - 60_000, expiresAt: NOW + 2 * HOUR }));
    expect(set.size).toBe(1);
    expect(set.entries()).toEqual([
      { kind: 'user', value: 'user-1', revokedAt: NOW + 60_000, expiresAt: NOW + 2 * HOUR },
    ]);
    expect(set.isRevoked(token, NOW + HOUR + 1)).toBe(true);
  });

  it('prunes expired entries only', () => {
    const set = createRevocationSet();
    set.add(entry({ value: 'a', expiresAt: NOW }));
    set.add(entry({ kind: 'kid', value: 'b', expiresAt: NOW + 1 }));
    set.add(entry({ kind: 'user', value: 'c', expiresAt: NOW - 1 }));
    expect(set.prune(NOW)).toBe(2);
    expect(set.size).toBe(1);
    expect(set.entries().map((held) => held.value)).toEqual(['b']);
  });

  it('does not let a caller mutate what it holds', () => {
    const set = createRevocationSet();
    const added = entry({});
    set.add(added);
    added.expiresAt = NOW;
    const [held] = set.entries();
    if (held) held.expiresAt = NOW;
    expect(set.isRevoked(token, NOW + 1)).toBe(true);
  });
});
