import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  jwtVerify,
  SignJWT,
} from 'jose';
import { GuardUnavailableError, InvalidTokenError } from '../../src/errors.js';
import { createJwksKeyStore, type JwksKeyStoreOptions } from '../../src/jwks/jwks-key-store.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * A loopback JWKS endpoint we control: what it answers, how many requests it saw, and whether it is up.
 * `stop` really closes the listener, so the store sees ECONNREFUSED as it would during an outage.
 */
interface JwksServer {
  readonly url: URL;
  requests: number;
  serveKeys(keys: unknown[]): void;
  answer(handler: Handler): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function startJwksServer(): Promise<JwksServer> {
  let handler: Handler = (_request, response) => response.writeHead(503).end();
  let port = 0;
  let server: Server | undefined;
  const jwks: JwksServer = {
    url: new URL('http://127.0.0.1/jwks'),
    requests: 0,
    serveKeys(keys) {
      handler = (_request, response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    },
    answer(next) {
      handler = next;
    },
    async stop() {
      const running = server;
      if (running === undefined) return;
      server = undefined;
      running.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        running.close((error) => (error ? reject(error) : resolve())),
      );
    },
    async start() {
      const next = createServer((request, response) => {
        jwks.requests += 1;
        handler(request, response);
      });
      // The same port after a restart: the store keeps one URL, as it would in production.
      await new Promise<void>((resolve) => next.listen(port, '127.0.0.1', resolve));
      port = (next.address() as AddressInfo).port;
      jwks.url.port = String(port);
      server = next;
    },
  };
  await jwks.start();
  return jwks;
}

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

async function makeKey(kid: string, alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, privateJwk };
}

function sign(key: SigningKey): Promise<string> {
  return new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** Lets a background fetch on loopback finish without moving the injected clock. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(condition()).toBe(true);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

describe('createJwksKeyStore against a real HTTP JWKS endpoint', () => {
  let server: JwksServer;
  let keyA: SigningKey;
  let keyB: SigningKey;
  let clock: number;
  const now = () => clock;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  const createStore = (options: Partial<JwksKeyStoreOptions> = {}) =>
    createJwksKeyStore({ jwksUri: server.url, algorithms: ['ES256'], now, ...options });
  const advance = (ms: number) => {
    clock += ms;
  };

  beforeAll(async () => {
    [keyA, keyB] = await Promise.all([makeKey('key-a'), makeKey('key-b')]);
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(async () => {
    server = await startJwksServer();
    server.serveKeys([keyA.publicJwk]);
    clock = Date.parse('2030-01-01T00:00:00Z');
  });
  afterEach(async () => {
    await server.stop();
    expect(unhandled).toEqual([]);
  });

  describe('cold start', () => {
    it('fetches on first use and verifies a token through jwtVerify', async () => {
      const store = createStore();
      expect(store.status()).toEqual({ state: 'empty', keyIds: [] });
      const { payload, protectedHeader } = await jwtVerify(
        await sign(keyA),
        (header: JWTHeaderParameters) => store.getKey(header),
        { algorithms: ['ES256'] },
      );
      expect(payload.sub).toBe('user-1');
      expect(protectedHeader.kid).toBe('key-a');
      expect(server.requests).toBe(1);
      expect(store.status()).toEqual({ state: 'fresh', keyIds: ['key-a'], fetchedAt: clock });
    });

    it('shares one HTTP request among concurrent cold callers', async () => {
      const store = createStore();
      const keys = await Promise.all(
        Array.from({ length: 25 }, () => store.getKey({ alg: 'ES256', kid: 'key-a' })),
      );
      expect(server.requests).toBe(1);
      // Imported once per key set: every caller gets the same CryptoKey.
      expect(new Set(keys).size).toBe(1);
    });

    it('refresh() warms the cache so the first token needs no request', async () => {
      const store = createStore();
      await store.refresh();
      expect(server.requests).toBe(1);
      await store.getKey({ alg: 'ES256', kid: 'key-a' });
      expect(server.requests).toBe(1);
    });

    it('fails with GuardUnavailableError when the auth server is down, then recovers', async () => {
      await server.stop();
      const store = createStore();
      const error = await rejection(store.getKey({ alg: 'ES256', kid: 'key-a' }));
      expect(error).toBeInstanceOf(GuardUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_GUARD_UNAVAILABLE', status: 503, dependency: 'jwks' });
      expect((error as GuardUnavailableError).retryAfterSeconds).toBe(30);
      expect(store.status()).toMatchObject({ state: 'empty', keyIds: [] });
      expect(store.status().lastError).toMatch(/ECONNREFUSED/);
      await expect(store.refresh()).rejects.toBeInstanceOf(GuardUnavailableError);

      await server.start();
      // Within the cooldown of the failed attempt nothing is retried: no storm against a recovering server.
      advance(10 * second);
      const early = await rejection(store.getKey({ alg: 'ES256', kid: 'key-a' }));
      expect(early).toBeInstanceOf(GuardUnavailableError);
      expect((early as GuardUnavailableError).retryAfterSeconds).toBe(20);
      expect(server.requests).toBe(0);

      advance(20 * second);
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
      expect(server.requests).toBe(1);
      expect(store.status()).toEqual({ state: 'fresh', keyIds: ['key-a'], fetchedAt: clock });
    });

    it('resolves a lazy jwksUri again after a failure', async () => {
      let resolutions = 0;
      const store = createStore({
        jwksUri: async () => {
          resolutions += 1;
          if (resolutions === 1) throw new Error('discovery unavailable');
          return server.url;
        },
      });
      await expect(store.refresh()).rejects.toBeInstanceOf(GuardUnavailableError);
      expect(store.status().lastError).toBe('discovery unavailable');
      await store.refresh();
      await store.getKey({ alg: 'ES256', kid: 'key-a' });
      advance(10 * minute);
      await store.refresh();
      expect(resolutions).toBe(2);
      expect(server.requests).toBe(2);
    });

    it('gives up on a JWKS endpoint that does not answer within fetchTimeoutMs', async () => {
      server.answer(() => {
        // Never answers; stop() closes the socket.
      });
      const store = createStore({ fetchTimeoutMs: 100 });
      const error = await rejection(store.getKey({ alg: 'ES256', kid: 'key-a' }));
      expect(error).toBeInstanceOf(GuardUnavailableError);
      expect(store.status().lastError).toMatch(/timeout/i);
    });
  });

  describe('header checks', () => {
    it('rejects a header without kid, without any request', async () => {
      const store = createStore();
      for (const header of [{ alg: 'ES256' }, { alg: 'ES256', kid: '' }]) {
        const error = await rejection(store.getKey(header));
        expect(error).toBeInstanceOf(InvalidTokenError);
        expect(error).toMatchObject({ reason: 'unknown_key', status: 401, oauthError: 'invalid_token' });
      }
      expect(server.requests).toBe(0);
    });

    it('rejects an algorithm outside the configured list, without any request', async () => {
      const store = createStore();
      for (const alg of [undefined, 'none', 'HS256', 'RS256', 'ES384', 'toString']) {
        await expect(
          store.getKey({ alg, kid: 'key-a' } as { alg?: string; kid: string }),
        ).rejects.toMatchObject({
          reason: 'disallowed_algorithm',
        });
      }
      expect(server.requests).toBe(0);
    });

    it('does not hand out a key for an algorithm it is not meant for', async () => {
      const p384 = await makeKey('p384', 'ES384');
      const unpinned = { ...keyB.publicJwk, alg: undefined };
      server.serveKeys([keyA.publicJwk, p384.publicJwk, unpinned]);
      const store = createStore({ algorithms: ['ES256', 'ES384'] });
      // key-a is pinned to ES256; key-b has no alg but is a P-256 key; p384 is pinned to ES384.
      await expect(store.getKey({ alg: 'ES384', kid: 'key-a' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      await expect(store.getKey({ alg: 'ES384', kid: 'key-b' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      await expect(store.getKey({ alg: 'ES256', kid: 'p384' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      const { payload } = await jwtVerify(await sign(p384), (header) => store.getKey(header), {
        algorithms: ['ES384'],
      });
      expect(payload.sub).toBe('user-1');
      await expect(store.getKey({ alg: 'ES256', kid: 'key-b' })).resolves.toBeDefined();
    });

    it('verifies EdDSA and RS256 tokens with their own key types', async () => {
      const [ed, rsa] = await Promise.all([makeKey('ed', 'EdDSA'), makeKey('rsa', 'RS256')]);
      server.serveKeys([ed.publicJwk, rsa.publicJwk]);
      const store = createStore({ algorithms: ['EdDSA', 'RS256'] });
      for (const key of [ed, rsa]) {
        const { protectedHeader } = await jwtVerify(await sign(key), (header) => store.getKey(header), {
          algorithms: ['EdDSA', 'RS256'],
        });
        expect(protectedHeader.kid).toBe(key.kid);
      }
      await expect(store.getKey({ alg: 'RS256', kid: 'ed' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      expect(server.requests).toBe(1);
    });

    it('skips a published private key instead of importing it', async () => {
      const leaked = await makeKey('leaked');
      const rsa = await makeKey('leaked-rsa', 'RS256');
      server.serveKeys([leaked.privateJwk, rsa.privateJwk, keyA.publicJwk]);
      const store = createStore({ algorithms: ['ES256', 'RS256'] });
      await expect(store.getKey({ alg: 'ES256', kid: 'leaked' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      await expect(store.getKey({ alg: 'RS256', kid: 'leaked-rsa' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      expect(store.status().keyIds).toEqual(['key-a']);
      const key = await store.getKey({ alg: 'ES256', kid: 'key-a' });
      expect(key.type).toBe('public');
    });

    it('refuses a published key that does not import, as unknown_key', async () => {
      server.serveKeys([{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'broken' }, keyA.publicJwk]);
      const store = createStore();
      for (let i = 0; i < 2; i += 1) {
        const error = await rejection(store.getKey({ alg: 'ES256', kid: 'broken' }));
        expect(error).toMatchObject({ reason: 'unknown_key', cause: expect.anything() });
      }
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
      expect(server.requests).toBe(1);
    });

    it('skips keys published for encryption or without verify in key_ops', async () => {
      server.serveKeys([
        { ...keyA.publicJwk, use: 'enc' },
        { ...keyB.publicJwk, use: undefined, key_ops: ['encrypt'] },
      ]);
      const store = createStore();
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      await expect(store.getKey({ alg: 'ES256', kid: 'key-b' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      expect(store.status().keyIds).toEqual([]);
    });
  });

  describe('unknown kid', () => {
    it('refetches once per cooldown, however many random kids arrive', async () => {
      const store = createStore();
      await store.refresh();
      // Right after a fetch, an unknown kid is refused without asking again.
      await expect(store.getKey({ alg: 'ES256', kid: 'nope' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      expect(server.requests).toBe(1);

      advance(31 * second);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => store.getKey({ alg: 'ES256', kid: `random-${i}` })),
      );
      for (const result of results) {
        expect(result).toMatchObject({ status: 'rejected', reason: { reason: 'unknown_key' } });
      }
      for (let i = 0; i < 100; i += 1) {
        advance(200);
        await expect(store.getKey({ alg: 'ES256', kid: `later-${i}` })).rejects.toBeInstanceOf(
          InvalidTokenError,
        );
      }
      expect(server.requests).toBe(2);
      // Known keys keep working throughout, without requests.
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
      expect(server.requests).toBe(2);
    });

    it('picks up a rotated-in key', async () => {
      const store = createStore();
      await store.refresh();
      server.serveKeys([keyA.publicJwk, keyB.publicJwk]);
      const token = await sign(keyB);
      await expect(jwtVerify(token, (header) => store.getKey(header))).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      advance(31 * second);
      const { protectedHeader } = await jwtVerify(token, (header) => store.getKey(header), {
        algorithms: ['ES256'],
      });
      expect(protectedHeader.kid).toBe('key-b');
      expect(server.requests).toBe(2);
      expect(store.status().keyIds).toEqual(['key-a', 'key-b']);
    });

    it('no longer accepts a key removed from the JWKS once refreshed', async () => {
      server.serveKeys([keyA.publicJwk, keyB.publicJwk]);
      const store = createStore();
      await store.getKey({ alg: 'ES256', kid: 'key-a' });
      server.serveKeys([keyB.publicJwk]);
      advance(5 * minute);
      await store.refresh();
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      advance(31 * second);
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
      expect(server.requests).toBe(3);
      await expect(store.getKey({ alg: 'ES256', kid: 'key-b' })).resolves.toBeDefined();
    });
  });

  describe('refresh schedule', () => {
    it('serves from cache without requests while fresh', async () => {
      const store = createStore();
      const first = await store.getKey({ alg: 'ES256', kid: 'key-a' });
      advance(5 * minute - 1);
      expect(await store.getKey({ alg: 'ES256', kid: 'key-a' })).toBe(first);
      expect(server.requests).toBe(1);
      expect(store.status().state).toBe('fresh');
    });

    it('after refreshIntervalSeconds serves the cached key at once and refreshes in the background', async () => {
      const store = createStore();
      await store.refresh();
      const fetchedAt = clock;
      // Hold the refresh response to show getKey does not wait for it.
      const held: ServerResponse[] = [];
      server.answer((_request, response) => held.push(response));
      advance(5 * minute);
      expect(store.status().state).toBe('stale');
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
      await until(() => held.length === 1);
      expect(server.requests).toBe(2);
      expect(store.status().fetchedAt).toBe(fetchedAt);

      held[0]!
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [keyB.publicJwk] }));
      await until(() => store.status().fetchedAt !== fetchedAt);
      expect(store.status()).toEqual({ state: 'fresh', keyIds: ['key-b'], fetchedAt: clock });
    });

    it('retries a failing background refresh no more often than the cooldown', async () => {
      const store = createStore();
      await store.refresh();
      server.answer((_request, response) => response.writeHead(500).end('oops'));
      advance(5 * minute);
      await store.getKey({ alg: 'ES256', kid: 'key-a' });
      await until(() => store.status().lastError !== undefined);
      expect(store.status()).toMatchObject({ state: 'stale', lastError: 'JWKS endpoint answered HTTP 500' });
      for (let i = 0; i < 20; i += 1) {
        advance(second);
        await store.getKey({ alg: 'ES256', kid: 'key-a' });
      }
      expect(server.requests).toBe(2);
      advance(10 * second);
      await store.getKey({ alg: 'ES256', kid: 'key-a' });
      await until(() => server.requests === 3);
      // The afterEach hook asserts that none of these failures surfaced as an unhandled rejection.
    });
  });

  describe('auth server outage', () => {
    it('keeps serving known keys for maxStaleSeconds, then fails closed, then recovers', async () => {
      const store = createStore();
      const token = await sign(keyA);
      const verify = () => jwtVerify(token, (header) => store.getKey(header), { algorithms: ['ES256'] });
      await verify();
      await server.stop();

      // Past jose createRemoteJWKSet's 10-minute cacheMaxAge and our refresh interval.
      advance(11 * minute);
      await expect(verify()).resolves.toBeDefined();
      await until(() => store.status().lastError !== undefined);
      expect(store.status()).toMatchObject({ state: 'stale', keyIds: ['key-a'] });
      // ECONNREFUSED, or UND_ERR_SOCKET when undici first tries its pooled keep-alive socket.
      expect(store.status().lastError).toMatch(/^fetch failed \((ECONNREFUSED|UND_ERR_SOCKET)\)$/);

      advance(6 * hour - 11 * minute - second);
      await expect(verify()).resolves.toBeDefined();

      advance(second);
      expect(store.status().state).toBe('expired');
      const error = await rejection(verify());
      expect(error).toBeInstanceOf(GuardUnavailableError);
      expect(error).toMatchObject({ status: 503, dependency: 'jwks' });
      expect((error as GuardUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
      // An unknown kid is no different once the keys are expired.
      await expect(store.getKey({ alg: 'ES256', kid: 'other' })).rejects.toBeInstanceOf(
        GuardUnavailableError,
      );

      await server.start();
      advance(31 * second);
      await expect(verify()).resolves.toBeDefined();
      expect(store.status()).toEqual({ state: 'fresh', keyIds: ['key-a'], fetchedAt: clock });
      expect(server.requests).toBe(2);
    });

    it('answers an unknown kid with 503, not 401, while the JWKS cannot be fetched', async () => {
      const store = createStore();
      await store.refresh();
      await server.stop();
      advance(31 * second);
      // The refetch fails: the kid may be a key rotated in during the outage.
      const first = await rejection(store.getKey({ alg: 'ES256', kid: 'rotated-in' }));
      expect(first).toBeInstanceOf(GuardUnavailableError);
      // Inside the cooldown no request is made, and the answer stays 503.
      advance(second);
      const again = await rejection(store.getKey({ alg: 'ES256', kid: 'another' }));
      expect(again).toMatchObject({ status: 503, dependency: 'jwks' });
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
    });

    it.each<[string, Handler]>([
      ['a 500', (_request, response) => response.writeHead(500).end('{"keys":[]}')],
      ['a non-JSON body', (_request, response) => response.writeHead(200).end('<html>maintenance</html>')],
      ['a body without keys', (_request, response) => response.writeHead(200).end('{"key":[]}')],
      ['keys that is not an array', (_request, response) => response.writeHead(200).end('{"keys":{}}')],
      ['a JSON array', (_request, response) => response.writeHead(200).end('[]')],
      [
        'a body over 512 KiB',
        (_request, response) =>
          response.writeHead(200).end(JSON.stringify({ keys: [], padding: 'x'.repeat(512 * 1024) })),
      ],
      [
        'a chunked body over 512 KiB',
        (_request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"keys":[],"padding":"');
          for (let i = 0; i < 9; i += 1) response.write('x'.repeat(64 * 1024));
          response.end('"}');
        },
      ],
      ['a redirect', (_request, response) => response.writeHead(302, { location: '/elsewhere' }).end()],
    ])('keeps the previous key set after %s', async (_name, handler) => {
      const store = createStore();
      await store.refresh();
      server.answer(handler);
      advance(5 * minute);
      await expect(store.refresh()).rejects.toBeInstanceOf(GuardUnavailableError);
      expect(server.requests).toBe(2);
      expect(store.status()).toMatchObject({ state: 'stale', keyIds: ['key-a'] });
      expect(store.status().lastError).toEqual(expect.any(String));
      await expect(store.getKey({ alg: 'ES256', kid: 'key-a' })).resolves.toBeDefined();
    });
  });

  describe('what the verifier reads: KeyObjects and the key set generation', () => {
    it('hands out the key as a node:crypto KeyObject too, imported once per key set', async () => {
      const store = createStore();
      const first = await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' });
      expect(first.keyObject.type).toBe('public');
      expect(first.keyObject.asymmetricKeyType).toBe('ec');
      expect(first.modulusBits).toBeUndefined();
      expect(await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' })).toBe(first);
      expect(await store.getKey({ alg: 'ES256', kid: 'key-a' })).toBe(first.cryptoKey);
    });

    it('has no generation before the first fetch, nor once the set is older than maxStaleSeconds', async () => {
      const store = createStore({ refreshIntervalSeconds: 60, maxStaleSeconds: 120 });
      expect(store.trustedGeneration()).toBeUndefined();
      await store.refresh();
      const generation = store.trustedGeneration();
      expect(generation).toEqual(expect.any(Number));
      server.answer((_request, response) => response.writeHead(503).end());
      advance(121 * second);
      expect(store.trustedGeneration()).toBeUndefined();
    });

    it('keeps the generation (and the imported keys) when a fetch brings the same keys', async () => {
      const store = createStore();
      const key = await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' });
      const generation = store.trustedGeneration();
      await store.refresh();
      expect(store.trustedGeneration()).toBe(generation);
      expect(await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' })).toBe(key);
    });

    it('changes the generation when a fetch brings other keys', async () => {
      const store = createStore();
      const before = await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' });
      server.serveKeys([keyA.publicJwk, keyB.publicJwk]);
      await store.refresh();
      expect(store.trustedGeneration()).not.toBe(before.generation);
      const after = await store.getVerificationKey({ alg: 'ES256', kid: 'key-a' });
      expect(after.generation).toBe(store.trustedGeneration());
    });

    it('starts the background refresh once the interval is over, as getKey does', async () => {
      const store = createStore({ refreshIntervalSeconds: 60 });
      await store.refresh();
      const requests = server.requests;
      advance(59 * second);
      store.trustedGeneration();
      expect(server.requests).toBe(requests);
      advance(1 * second);
      expect(store.trustedGeneration()).toEqual(expect.any(Number));
      await until(() => server.requests === requests + 1);
    });
  });
});
