import { describe, expect, it } from '@jest/globals';
import {
  type AccessTokenVerifierOptions,
  ASYMMETRIC_ALGORITHMS,
  resolveVerifierOptions,
} from '../../src/verifier-options.js';
import { createAccessTokenVerifier } from '../../src/verify-access-token.js';

const base: AccessTokenVerifierOptions = {
  issuer: 'https://auth.example.com',
  audience: 'https://api.example.com',
};

/** Options as a caller without TypeScript could pass them. */
const withOptions = (overrides: Record<string, unknown>) =>
  ({ ...base, ...overrides }) as unknown as AccessTokenVerifierOptions;

describe('resolveVerifierOptions', () => {
  it('fills in the strict defaults: ES256, 5 s tolerance, 1 h maximum age, 8 KiB tokens', () => {
    const resolved = resolveVerifierOptions(base);
    expect(resolved).toMatchObject({
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      jwksUri: undefined,
      algorithms: ['ES256'],
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 3600,
      maxTokenBytes: 8192,
    });
    expect(resolved.now).toBe(Date.now);
    expect(resolved.fetch).toBe(globalThis.fetch);
  });

  it('keeps what it is given', () => {
    const now = () => 1;
    const fetchImpl = (async () => new Response()) as typeof fetch;
    const resolved = resolveVerifierOptions({
      ...base,
      jwksUri: 'https://auth.example.com/jwks',
      algorithms: ['EdDSA', 'PS256'],
      clockToleranceSeconds: 0,
      maxTokenAgeSeconds: 600,
      maxTokenBytes: 4096,
      now,
      fetch: fetchImpl,
    });
    expect(resolved.jwksUri).toEqual(new URL('https://auth.example.com/jwks'));
    expect(resolved).toMatchObject({
      algorithms: ['EdDSA', 'PS256'],
      clockToleranceSeconds: 0,
      maxTokenAgeSeconds: 600,
      maxTokenBytes: 4096,
      now,
      fetch: fetchImpl,
    });
  });

  it('keeps the issuer exactly as given, trailing slash and all (it is compared with iss verbatim)', () => {
    expect(resolveVerifierOptions({ ...base, issuer: 'https://auth.example.com/' }).issuer).toBe(
      'https://auth.example.com/',
    );
  });

  it('copies the algorithm list so later changes to the caller’s array do not loosen it', () => {
    const algorithms: ('ES256' | 'RS256')[] = ['ES256'];
    const resolved = resolveVerifierOptions({ ...base, algorithms });
    algorithms.push('RS256');
    expect(resolved.algorithms).toEqual(['ES256']);
  });

  it.each(ASYMMETRIC_ALGORITHMS)('accepts the asymmetric algorithm %s', (algorithm) => {
    expect(resolveVerifierOptions({ ...base, algorithms: [algorithm] }).algorithms).toEqual([algorithm]);
  });

  it.each([
    ['HS256', ['HS256']],
    ['HS512 among good ones', ['ES256', 'HS512']],
    ['none', ['none']],
    ['None', ['None']],
    ['an encryption algorithm', ['RSA-OAEP']],
    ['a lowercase name', ['es256']],
    ['a non-string', [256]],
  ])('refuses %s', (_name, algorithms) => {
    expect(() => resolveVerifierOptions(withOptions({ algorithms }))).toThrow(
      /^algorithm .* is not an asymmetric JWS algorithm$/,
    );
  });

  it('refuses an empty algorithm list', () => {
    expect(() => resolveVerifierOptions(withOptions({ algorithms: [] }))).toThrow(
      new TypeError('algorithms must not be empty'),
    );
  });

  it.each([
    ['missing', undefined, 'issuer must be a URL'],
    ['empty', '', 'issuer must be a URL'],
    ['not a URL', 'auth.example.com', 'issuer must be a URL'],
    ['a number', 42, 'issuer must be a URL'],
    ['not http(s)', 'ftp://auth.example.com', 'issuer must be an http(s) URL'],
    ['a javascript: URL', 'javascript:alert(1)', 'issuer must be an http(s) URL'],
    ['with a query', 'https://auth.example.com/?tenant=a', 'issuer must not have a query or fragment'],
    ['with a fragment', 'https://auth.example.com/#a', 'issuer must not have a query or fragment'],
  ])('refuses an issuer that is %s', (_name, issuer, message) => {
    expect(() => resolveVerifierOptions(withOptions({ issuer }))).toThrow(new TypeError(message));
  });

  it.each([
    ['empty', '', 'jwksUri must be a URL'],
    ['relative', '/jwks', 'jwksUri must be a URL'],
    ['a URL object', new URL('https://auth.example.com/jwks'), 'jwksUri must be a URL'],
    ['a file: URL', 'file:///etc/jwks.json', 'jwksUri must be an http(s) URL'],
    ['a data: URL', 'data:application/json,{"keys":[]}', 'jwksUri must be an http(s) URL'],
  ])('refuses a jwksUri that is %s', (_name, jwksUri, message) => {
    expect(() => resolveVerifierOptions(withOptions({ jwksUri }))).toThrow(new TypeError(message));
  });

  it.each([undefined, '', 42])('refuses the audience %p', (audience) => {
    expect(() => resolveVerifierOptions(withOptions({ audience }))).toThrow(
      /^audience must be a non-empty string/,
    );
  });

  it.each([
    ['clockToleranceSeconds', -1, 'clockToleranceSeconds must be zero or more'],
    ['clockToleranceSeconds', Number.NaN, 'clockToleranceSeconds must be zero or more'],
    ['clockToleranceSeconds', Number.POSITIVE_INFINITY, 'clockToleranceSeconds must be zero or more'],
    ['clockToleranceSeconds', '5', 'clockToleranceSeconds must be zero or more'],
    ['maxTokenAgeSeconds', 0, 'maxTokenAgeSeconds must be a positive number'],
    ['maxTokenAgeSeconds', -60, 'maxTokenAgeSeconds must be a positive number'],
    ['maxTokenAgeSeconds', Number.POSITIVE_INFINITY, 'maxTokenAgeSeconds must be a positive number'],
    ['maxTokenBytes', 0, 'maxTokenBytes must be a positive number'],
    ['maxTokenBytes', -1, 'maxTokenBytes must be a positive number'],
    ['maxTokenBytes', Number.NaN, 'maxTokenBytes must be a positive number'],
  ])('refuses %s = %p', (name, value, message) => {
    expect(() => resolveVerifierOptions(withOptions({ [name]: value }))).toThrow(new TypeError(message));
  });
});

describe('createAccessTokenVerifier', () => {
  it('caches up to 10 000 verified tokens by default; false turns the cache off', () => {
    expect(resolveVerifierOptions(base).verifiedTokenCacheEntries).toBe(10_000);
    expect(resolveVerifierOptions({ ...base, verifiedTokenCache: false }).verifiedTokenCacheEntries).toBe(0);
    expect(resolveVerifierOptions({ ...base, verifiedTokenCache: {} }).verifiedTokenCacheEntries).toBe(
      10_000,
    );
    expect(
      resolveVerifierOptions({ ...base, verifiedTokenCache: { maxEntries: 1 } }).verifiedTokenCacheEntries,
    ).toBe(1);
  });

  it.each([
    true,
    null,
    'on',
    100,
    { maxEntries: 0 },
    { maxEntries: -1 },
    { maxEntries: 1.5 },
    { maxEntries: '10' },
  ])('refuses verifiedTokenCache %p', (verifiedTokenCache) => {
    expect(() => resolveVerifierOptions(withOptions({ verifiedTokenCache }))).toThrow(TypeError);
  });

  it('validates its options at creation, before any request', () => {
    expect(() => createAccessTokenVerifier(withOptions({ algorithms: ['HS256'] }))).toThrow(TypeError);
    expect(() => createAccessTokenVerifier(withOptions({ issuer: 'not a url' }))).toThrow(TypeError);
  });

  it('passes the JWKS cache tuning to the key store, which validates it too', () => {
    expect(() =>
      createAccessTokenVerifier({ ...base, jwks: { refreshIntervalSeconds: 600, maxStaleSeconds: 60 } }),
    ).toThrow(TypeError);
    expect(() => createAccessTokenVerifier({ ...base, jwks: { fetchTimeoutMs: -1 } })).toThrow(TypeError);
  });

  it('creates a verifier without touching the network', () => {
    let calls = 0;
    const verifier = createAccessTokenVerifier({
      ...base,
      fetch: (async () => {
        calls += 1;
        return new Response('{}');
      }) as typeof fetch,
    });
    expect(typeof verifier.verify).toBe('function');
    expect(verifier.keys.status()).toEqual({ state: 'empty', keyIds: [] });
    expect(calls).toBe(0);
  });
});
