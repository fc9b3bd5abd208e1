import { describe, expect, it } from '@jest/globals';
import type { Principal } from '../../src/principal.js';
import { createVerifiedTokenCache, type VerifiedTokenCache } from '../../src/verified-token-cache.js';

const NOW = 1_750_000_000;
const ms = (seconds: number) => seconds * 1000;

function principal(times: { iat?: number; exp?: number; nbf?: number } = {}): Principal {
  const issuedAt = times.iat ?? NOW - 10;
  const expiresAt = times.exp ?? NOW + 290;
  return {
    kind: 'client',
    subject: 'svc',
    clientId: 'svc',
    scopes: [],
    roles: [],
    permissions: [],
    tokenId: 'jti',
    grantId: undefined,
    keyId: 'k1',
    issuedAt,
    expiresAt,
    claims: { iat: issuedAt, exp: expiresAt, ...(times.nbf === undefined ? {} : { nbf: times.nbf }) },
  };
}

const newCache = (maxEntries = 100, maxTokenAgeSeconds = 3600) =>
  createVerifiedTokenCache({ maxEntries, clockToleranceSeconds: 5, maxTokenAgeSeconds });

/** Offers the token twice, as two full verifications would: the second offer stores it. */
function store(cache: VerifiedTokenCache, token: string, stored: Principal, keyGeneration: number) {
  cache.set(token, stored, keyGeneration);
  cache.set(token, stored, keyGeneration);
}

describe('createVerifiedTokenCache', () => {
  describe('admission on second sight', () => {
    it('stores a token only the second time it is offered', () => {
      const cache = newCache();
      const stored = principal();
      cache.set('token-a', stored, 1);
      expect(cache.get('token-a', ms(NOW), 1)).toBeUndefined();
      expect(cache.size).toBe(0);
      cache.set('token-a', stored, 1);
      expect(cache.get('token-a', ms(NOW), 1)).toBe(stored);
    });

    it('stores nothing from a flood of tokens each offered once', () => {
      const cache = newCache(50);
      for (let index = 0; index < 10_000; index += 1) cache.set(`single-use-${index}`, principal(), 1);
      expect(cache.size).toBe(0);
    });

    it('takes back at once a token it dropped for a key change, once verified again', () => {
      const cache = newCache();
      const stored = principal();
      store(cache, 't', stored, 1);
      expect(cache.get('t', ms(NOW), 2)).toBeUndefined();
      cache.set('t', stored, 2);
      expect(cache.get('t', ms(NOW), 2)).toBe(stored);
    });
  });

  it('serves a stored principal for the exact token string only', () => {
    const cache = newCache();
    const stored = principal();
    store(cache, 'token-a', stored, 1);
    expect(cache.get('token-a', ms(NOW), 1)).toBe(stored);
    expect(cache.get('token-A', ms(NOW), 1)).toBeUndefined();
    expect(cache.get('token-a ', ms(NOW), 1)).toBeUndefined();
  });

  it('misses, and drops the entry, once the key set generation changed', () => {
    const cache = newCache();
    store(cache, 't', principal(), 1);
    expect(cache.get('t', ms(NOW), 2)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.get('t', ms(NOW), 1)).toBeUndefined();
  });

  describe('exp, rechecked on every hit: served while exp > now - tolerance', () => {
    it('hits at exp + tolerance - 1 s, misses at exp + tolerance', () => {
      const cache = newCache();
      store(cache, 't', principal({ exp: NOW + 60 }), 1);
      expect(cache.get('t', ms(NOW + 64) + 999, 1)).toBeDefined();
      expect(cache.get('t', ms(NOW + 65), 1)).toBeUndefined();
      expect(cache.size).toBe(0);
    });
  });

  describe('maximum age, rechecked on every hit: served while now - iat - tolerance <= maxTokenAge', () => {
    it('hits at iat + maxTokenAge + tolerance, misses one second later', () => {
      const cache = newCache(100, 60);
      store(cache, 't', principal({ iat: NOW, exp: NOW + 3600 }), 1);
      expect(cache.get('t', ms(NOW + 65) + 999, 1)).toBeDefined();
      expect(cache.get('t', ms(NOW + 66), 1)).toBeUndefined();
    });
  });

  describe('nbf and iat against a clock that went back', () => {
    it('misses while nbf > now + tolerance', () => {
      const cache = newCache();
      store(cache, 't', principal({ iat: NOW - 10, nbf: NOW + 20 }), 1);
      expect(cache.get('t', ms(NOW + 15), 1)).toBeDefined();
      expect(cache.get('t', ms(NOW + 14), 1)).toBeUndefined();
    });
    it('misses while iat > now + tolerance', () => {
      const cache = newCache();
      store(cache, 't', principal({ iat: NOW }), 1);
      expect(cache.get('t', ms(NOW - 5), 1)).toBeDefined();
      expect(cache.get('t', ms(NOW - 6), 1)).toBeUndefined();
    });
  });

  describe('bounded', () => {
    it('never holds more than maxEntries, dropping the least recently used first', () => {
      const cache = newCache(2);
      store(cache, 'a', principal(), 1);
      store(cache, 'b', principal(), 1);
      expect(cache.get('a', ms(NOW), 1)).toBeDefined(); // a is now the most recent
      store(cache, 'c', principal(), 1);
      expect(cache.size).toBe(2);
      expect(cache.get('b', ms(NOW), 1)).toBeUndefined();
      expect(cache.get('a', ms(NOW), 1)).toBeDefined();
      expect(cache.get('c', ms(NOW), 1)).toBeDefined();
    });

    it('stays at maxEntries under a flood of distinct tokens, each used twice', () => {
      const cache = newCache(50);
      for (let index = 0; index < 10_000; index += 1) store(cache, `token-${index}`, principal(), 1);
      expect(cache.size).toBe(50);
      expect(cache.get('token-9999', ms(NOW), 1)).toBeDefined();
      expect(cache.get('token-0', ms(NOW), 1)).toBeUndefined();
    });

    it('replaces the entry of a token stored again, without evicting another', () => {
      const cache = newCache(2);
      store(cache, 'a', principal(), 1);
      store(cache, 'b', principal(), 1);
      const again = principal();
      store(cache, 'b', again, 2);
      expect(cache.size).toBe(2);
      expect(cache.get('a', ms(NOW), 1)).toBeDefined();
      expect(cache.get('b', ms(NOW), 2)).toBe(again);
    });
  });
});
