import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import {
  createTestSigningKey,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { type Listening, listen } from '../../../service-kit/test/unit/listen.js';
import {
  authorize,
  createAccessTokenVerifier,
  InsufficientScopeError,
  type Principal,
} from '../../src/index.js';
import { createKoaGuard, type GuardState } from '../../src/koa/index.js';

const ISSUER = 'https://auth.guard.test';
const AUDIENCE = 'https://api.guard.test';

/** The Koa adapter's own promises, over real HTTP with a real JWKS endpoint. */
describe('createKoaGuard', () => {
  let key: TestSigningKey;
  let jwks: JwksServer;
  let server: Listening;
  let revoked = new Set<string>();
  let revocationFails: Error | undefined;

  beforeAll(async () => {
    key = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: jwks.url,
      revocation: {
        isRevoked(token) {
          if (revocationFails) throw revocationFails;
          return revoked.has(token.tokenId);
        },
      },
    });
    const guard = createKoaGuard({
      verifier,
      realm: 'guard-test',
      onRefused: () => {
        throw new Error('a broken metrics hook');
      },
    });
    const app = new Koa<GuardState>();
    app.use(async (ctx, next) => {
      // Something upstream (a bug, a plugin) putting its own principal on ctx.state.
      if (ctx.get('x-preset-principal'))
        ctx.state.principal = { subject: 'mallory', scopes: ['items:read'] } as never;
      await next();
    });
    app.use(guard.require({ scopes: ['items:read'] }));
    app.use((ctx) => {
      ctx.body = { subject: ctx.state.principal.subject };
    });
    server = await listen(app as unknown as Koa);
  });
  afterAll(async () => {
    await server?.close();
    await jwks?.close();
  });

  const get = (token: string, headers: Record<string, string> = {}) =>
    fetch(server.url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const good = (claims: Record<string, unknown> = {}) =>
    forgeAccessToken(
      key,
      { issuer: ISSUER, audience: AUDIENCE },
      { claims: { scope: 'items:read', ...claims } },
    );

  it('lets a good token through with its principal', async () => {
    const response = await get(await good());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'forged-subject' });
  });

  it('does not trust a principal another middleware put on ctx.state', async () => {
    const response = await get('junk.junk.junk', { 'x-preset-principal': '1' });
    expect(response.status).toBe(401);
    const real = await get(await good(), { 'x-preset-principal': '1' });
    expect(await real.json()).toEqual({ subject: 'forged-subject' });
  });

  it('still answers 401 when the onRefused hook throws', async () => {
    const response = await get('junk.junk.junk');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses a revoked token with 401 invalid_token', async () => {
    revoked = new Set(['revoked-jti']);
    const response = await get(await good({ jti: 'revoked-jti' }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_token',
      detail: 'the access token has been revoked',
    });
  });

  it('fails closed with 503 when the revocation check throws, whatever it throws', async () => {
    for (const failure of [new Error('mirror gone'), new InsufficientScopeError('not mine to say', [])]) {
      revocationFails = failure;
      const response = await get(await good());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    revocationFails = undefined;
  });
});

describe('authorize', () => {
  const principal = { scopes: ['items:read'], roles: [], permissions: [] } as unknown as Principal;

  it('refuses a malformed requirement instead of allowing everything', () => {
    expect(() => authorize(principal, {})).toThrow(TypeError);
    expect(() => authorize(principal, { scope: ['items:write'] } as never)).toThrow(TypeError);
  });
});
