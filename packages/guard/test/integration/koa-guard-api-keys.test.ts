import { request as httpRequest } from 'node:http';
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
  type ApiKeyVerifier,
  createAccessTokenVerifier,
  GuardUnavailableError,
  InvalidTokenError,
  type Principal,
} from '../../src/index.js';
import { createKoaGuard, type GuardState } from '../../src/koa/index.js';

const ISSUER = 'https://auth.guard-keys.test';
const AUDIENCE = 'https://api.guard-keys.test';
const GOOD_KEY = 'pcl_good';
const READER_KEY = 'pcl_reader';

/** A key's principal, as @portcullis/api-keys builds it. */
function keyPrincipal(permissions: string[]): Principal {
  return {
    kind: 'client',
    subject: 'service-a',
    clientId: 'service-a',
    scopes: ['items:read', 'items:write'],
    roles: [],
    permissions,
    tokenId: '0123456789abcdef0123',
    grantId: undefined,
    keyId: 'kid-1',
    issuedAt: 1,
    expiresAt: Math.floor(Date.now() / 1000) + 300,
    claims: {},
    credential: 'api_key',
  };
}

/**
 * The guard's X-API-Key opt-in over real HTTP: which routes take keys, how both credentials together,
 * duplicates and stray keys are refused, and that keys meet the same requirements as tokens. The key
 * verifier is the guard's extension point, implemented here by a table of known keys.
 */
describe('createKoaGuard with apiKeys', () => {
  let key: TestSigningKey;
  let jwks: JwksServer;
  let server: Listening;
  const presented: string[] = [];
  const refusals: unknown[] = [];

  beforeAll(async () => {
    key = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
    const apiKeys: ApiKeyVerifier = {
      async verify(value) {
        presented.push(value);
        if (value === GOOD_KEY) return keyPrincipal(['items:read', 'items:write']);
        if (value === READER_KEY) return keyPrincipal(['items:read']);
        if (value === 'pcl_stale') throw new GuardUnavailableError('revocation', 5);
        if (value === 'pcl_broken') throw new Error('a bug in the verifier');
        throw new InvalidTokenError('unknown_api_key');
      },
    };
    const guard = createKoaGuard({
      verifier: createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }),
      realm: 'keys-test',
      apiKeys,
      onRefused: (error) => refusals.push(error),
    });
    const write = { scopes: ['items:write'], permissions: ['items:write'] };
    const routes: Record<string, Koa.Middleware<GuardState>> = {
      '/write-with-key': guard.require(write, { apiKey: true }),
      '/any-with-key': guard.authenticate({ apiKey: true }),
      '/tokens-only': guard.require(write),
    };
    const app = new Koa<GuardState>();
    app.use(async (ctx, next) => {
      const route = routes[ctx.path];
      if (!route) return;
      await route(ctx, next);
    });
    app.use((ctx) => {
      ctx.body = { subject: ctx.state.principal.subject, credential: ctx.state.principal.credential };
    });
    server = await listen(app as unknown as Koa);
  });
  afterAll(async () => {
    await server?.close();
    await jwks?.close();
  });

  const token = () =>
    forgeAccessToken(key, { issuer: ISSUER, audience: AUDIENCE }, { claims: { scope: 'items:write' } });
  /** GET with raw header pairs, so a header can be sent twice. */
  const get = (path: string, headers: [string, string][]) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }>(
      (resolve, reject) => {
        // A name given twice becomes an array value, which Node sends as two header lines.
        const grouped: Record<string, string[]> = {};
        for (const [name, value] of headers) {
          const lower = name.toLowerCase();
          grouped[lower] = [...(grouped[lower] ?? []), value];
        }
        const request = httpRequest(`${server.url}${path}`, { headers: grouped }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: text === '' ? {} : JSON.parse(text),
            }),
          );
        });
        request.on('error', reject);
        request.end();
      },
    );

  it('lets a good key through on a route that opted in, with an api_key principal', async () => {
    const reply = await get('/write-with-key', [['X-API-Key', GOOD_KEY]]);
    expect(reply).toMatchObject({ status: 200, body: { subject: 'service-a', credential: 'api_key' } });
    expect((await get('/any-with-key', [['x-api-key', READER_KEY]])).status).toBe(200);
  });

  it('still takes a bearer token on a route that opted in', async () => {
    const reply = await get('/write-with-key', [['Authorization', `Bearer ${await token()}`]]);
    expect(reply).toMatchObject({ status: 200, body: { credential: 'access_token' } });
  });

  it('applies the route requirement to keys: 403 insufficient_scope', async () => {
    const reply = await get('/write-with-key', [['X-API-Key', READER_KEY]]);
    expect(reply.status).toBe(403);
    expect(reply.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(reply.body).toMatchObject({
      error: 'insufficient_scope',
      detail: 'requires permission items:write',
    });
  });

  it('refuses a bad key with an RFC 6750 challenge and a problem body that does not echo it', async () => {
    const reply = await get('/write-with-key', [['X-API-Key', 'pcl_nobody']]);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe(
      'Bearer realm="keys-test", error="invalid_token", error_description="the API key is not valid"',
    );
    expect(reply.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'the API key is not valid',
      error: 'invalid_token',
    });
    expect(JSON.stringify(reply)).not.toContain('pcl_nobody');
  });

  it('refuses a token and a key together with 400 invalid_request, verifying neither', async () => {
    const before = presented.length;
    const reply = await get('/write-with-key', [
      ['Authorization', `Bearer ${await token()}`],
      ['X-API-Key', GOOD_KEY],
    ]);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_request' });
    expect(presented.length).toBe(before);
  });

  it('refuses two X-API-Key headers with 400, even two copies of a good key', async () => {
    const reply = await get('/write-with-key', [
      ['X-API-Key', GOOD_KEY],
      ['X-API-Key', GOOD_KEY],
    ]);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_request', detail: 'more than one X-API-Key header' });
  });

  it('refuses a key on a route that did not opt in, saying so, without verifying it', async () => {
    const before = presented.length;
    for (const headers of [
      [['X-API-Key', GOOD_KEY]],
      [
        ['X-API-Key', GOOD_KEY],
        ['Authorization', `Bearer ${await token()}`],
      ],
    ] as [string, string][][]) {
      const reply = await get('/tokens-only', headers);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({
        error: 'invalid_token',
        detail: 'this route does not accept API keys; send an access token',
      });
    }
    expect(presented.length).toBe(before);
    const last = refusals.at(-1);
    expect(last instanceof InvalidTokenError && last.reason).toBe('api_key_not_accepted');
  });

  it('answers 503 when the key verifier cannot decide, and 401 for its stray errors', async () => {
    const stale = await get('/any-with-key', [['X-API-Key', 'pcl_stale']]);
    expect(stale.status).toBe(503);
    expect(stale.headers['retry-after']).toBe('5');
    const broken = await get('/any-with-key', [['X-API-Key', 'pcl_broken']]);
    expect(broken.status).toBe(401);
    expect(broken.body).toMatchObject({ detail: 'the API key could not be verified' });
  });

  it('declares the opt-in on the middleware and refuses impossible declarations', () => {
    const plain = createKoaGuard({
      verifier: createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }),
      realm: 'plain',
    });
    expect(() => plain.authenticate({ apiKey: true })).toThrow(TypeError);
    expect(() => plain.require({ scopes: ['a'] }, { apiKey: true })).toThrow(TypeError);
    expect(() => plain.authenticate({ apiKey: 'yes' } as never)).toThrow(TypeError);
    expect(() => plain.authenticate({ apiKeys: true } as never)).toThrow(TypeError);
    expect(plain.authenticate({ apiKey: false }).acceptsApiKey).toBe(false);
    const declared = plain.require({ scopes: ['a'] });
    expect({ requirement: declared.requirement, acceptsApiKey: declared.acceptsApiKey }).toEqual({
      requirement: { scopes: ['a'] },
      acceptsApiKey: false,
    });
    expect(() => createKoaGuard({ verifier: plain as never, realm: 'x' })).toThrow(TypeError);
  });
});
