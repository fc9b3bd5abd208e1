import { describe, expect, it } from '@jest/globals';
import { createJwksKeyStore, type JwksKeyStoreOptions } from '../../src/jwks/jwks-key-store.js';

const jwksUri = new URL('https://auth.example.com/jwks');

describe('createJwksKeyStore options', () => {
  it('accepts a URL or a lazy resolver and starts empty without fetching', () => {
    const fetch = (() => {
      throw new Error('must not fetch at creation');
    }) as unknown as typeof globalThis.fetch;
    for (const uri of [jwksUri, async () => jwksUri]) {
      const store = createJwksKeyStore({ jwksUri: uri, algorithms: ['ES256'], fetch });
      expect(store.status()).toEqual({ state: 'empty', keyIds: [] });
    }
  });

  it.each<[string, Partial<JwksKeyStoreOptions> | Record<string, unknown>]>([
    ['a string jwksUri', { jwksUri: 'https://auth.example.com/jwks' }],
    ['a non-http jwksUri', { jwksUri: new URL('file:///etc/jwks.json') }],
    ['no algorithms', { algorithms: [] }],
    ['algorithms not an array', { algorithms: 'ES256' }],
    ['a symmetric algorithm', { algorithms: ['ES256', 'HS256'] }],
    ['alg none', { algorithms: ['none'] }],
    ['a zero refresh interval', { refreshIntervalSeconds: 0 }],
    ['a negative maxStale', { maxStaleSeconds: -1 }],
    ['a NaN cooldown', { unknownKidCooldownSeconds: Number.NaN }],
    ['an infinite timeout', { fetchTimeoutMs: Number.POSITIVE_INFINITY }],
    ['a fractional timeout', { fetchTimeoutMs: 1.5 }],
    ['a string timeout', { fetchTimeoutMs: '5000' }],
    ['maxStale shorter than the refresh interval', { refreshIntervalSeconds: 600, maxStaleSeconds: 300 }],
    ['maxStale shorter than the default refresh interval', { maxStaleSeconds: 60 }],
    ['a clock that is not a function', { now: 1 }],
    ['a fetch that is not a function', { fetch: {} }],
  ])('throws TypeError on %s', (_name, overrides) => {
    const options = { jwksUri, algorithms: ['ES256'], ...overrides } as JwksKeyStoreOptions;
    expect(() => createJwksKeyStore(options)).toThrow(TypeError);
  });

  it('throws TypeError without options', () => {
    expect(() => createJwksKeyStore(undefined as unknown as JwksKeyStoreOptions)).toThrow(TypeError);
  });
});
