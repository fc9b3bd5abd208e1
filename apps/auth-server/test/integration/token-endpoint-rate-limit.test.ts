import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { Context, Next } from 'koa';
import {
  connectedClient,
  deleteKeys,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { createTokenEndpointRateLimit } from '../../src/rate-limits/token-endpoint-rate-limit.js';
import { basicAuthorization, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const PER_IP = 4;
const PER_CLIENT = 3;
const service = { id: 'inventory', secret: 'inventory-secret-0123456789abcdef0123456789' };

/**
 * The token endpoints' limits in front of the real oidc-provider (the container's), against the shared
 * Redis. Two limiter instances, picked per request by a test header, stand for two auth-server instances.
 */
describe('createTokenEndpointRateLimit', () => {
  const { keyPrefix } = uniqueLayout();
  let auth: TestAuthServer;
  let redis: Redis;
  let listener: Server;
  let url: string;
  let nextIp = 1;
  /** A client address no other test used (TRUST_PROXY is on, so X-Forwarded-For is the address). */
  const freshIp = () => `192.0.2.${nextIp++}`;

  beforeAll(async () => {
    auth = await startTestAuthServer({ TRUST_PROXY: 'true' });
    redis = await connectedClient();
    await auth.addClient({ ...service, grantTypes: ['client_credentials'], scopes: ['items:read'] });
    const options = { redis, keyPrefix, perIpPerMinute: PER_IP, perClientPerMinute: PER_CLIENT };
    const instances = { a: createTokenEndpointRateLimit(options), b: createTokenEndpointRateLimit(options) };
    const provider = auth.container.providerHost.current();
    // The container's own limiter (one instance, test-sized limits) gives way to the two instances here.
    const wired = provider.middleware.findIndex((middleware) => middleware.name === 'limitTokenEndpoint');
    if (wired === -1) throw new Error('the container no longer wires limitTokenEndpoint');
    provider.middleware.splice(wired, 1);
    // Outermost, as container.ts places it: in front of every interceptor and of oidc-provider's router.
    provider.middleware.unshift((ctx: Context, next: Next) =>
      (ctx.get('x-test-instance') === 'b' ? instances.b : instances.a)(ctx, next),
    );
    listener = createServer(provider.callback());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    listener?.closeAllConnections();
    await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
    if (redis) {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
    await auth?.close();
  });

  async function post(
    path: string,
    {
      ip,
      form = { grant_type: 'client_credentials' },
      basic,
      instance = 'a',
      contentType = 'application/x-www-form-urlencoded',
      headers = {},
    }: {
      ip: string;
      form?: Record<string, string>;
      basic?: { id: string; secret: string };
      instance?: 'a' | 'b';
      contentType?: string;
      headers?: Record<string, string>;
    },
  ) {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-forwarded-for': ip,
        'x-test-instance': instance,
        ...(basic ? { authorization: basicAuthorization(basic.id, basic.secret) } : {}),
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('counts exactly the paths oidc-provider resolves to the token endpoints', async () => {
    for (const path of [
      '/token',
      '/TOKEN',
      '/token/',
      '/Token/',
      '/token/revocation',
      '/TOKEN/Revocation/',
    ]) {
      const answer = await post(path, { ip: freshIp() });
      // Answered by oidc-provider's token or revocation endpoint (no client authentication given)...
      expect([400, 401]).toContain(answer.status);
      expect(typeof answer.body.error).toBe('string');
      // ...and counted.
      expect(answer.headers.get('ratelimit-policy')).toBe(`"token-ip";q=${PER_IP};w=60`);
      expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"token-ip";r=${PER_IP - 1};t=\\d+$`));
    }
    for (const path of ['/token//', '/%74oken', '/tokens', '/token/x', '/jwks']) {
      const answer = await post(path, { ip: freshIp() });
      // Not a token endpoint: unknown (404), or a known path that takes no POST (405 with Allow).
      expect(answer.status).toBe(path === '/jwks' ? 405 : 404);
      expect(answer.headers.get('ratelimit')).toBeNull();
    }
  });

  it('counts POST only', async () => {
    const ip = freshIp();
    const get = await fetch(`${url}/token`, { headers: { 'x-forwarded-for': ip } });
    expect(get.headers.get('ratelimit')).toBeNull();
    const preflight = await fetch(`${url}/token`, {
      method: 'OPTIONS',
      headers: {
        'x-forwarded-for': ip,
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.headers.get('ratelimit')).toBeNull();
  });

  it('refuses a client address over its limit with 429, Retry-After and an RFC 6749 body, across instances', async () => {
    const ip = freshIp();
    const answers = [];
    for (let i = 0; i < PER_IP + 1; i += 1) {
      answers.push(await post('/token', { ip, instance: i % 2 === 0 ? 'a' : 'b' }));
    }
    // Without client authentication each allowed one is invalid_client; the limit refuses the last.
    expect(answers.slice(0, PER_IP).map((answer) => answer.body.error)).toEqual(
      Array(PER_IP).fill('invalid_client'),
    );
    expect(answers[PER_IP]!.status).toBe(429);
    const refused = answers.at(-1)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toBe(`"token-ip";r=0;t=${retryAfter}`);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: `too many requests; retry after ${retryAfter} s`,
    });
    // Another address is not affected.
    expect((await post('/token', { ip: freshIp() })).status).not.toBe(429);
  });

  it('limits a client named in HTTP Basic authentication across addresses', async () => {
    const answers = [];
    for (let i = 0; i < PER_CLIENT + 1; i += 1) {
      answers.push(
        await post('/token', { ip: freshIp(), basic: service, instance: i % 2 === 0 ? 'a' : 'b' }),
      );
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe(
      `"token-ip";q=${PER_IP};w=60, "token-client";q=${PER_CLIENT};w=60`,
    );
    expect(answers[0]!.headers.get('ratelimit')).toMatch(
      new RegExp(`^"token-ip";r=${PER_IP - 1};t=\\d+, "token-client";r=${PER_CLIENT - 1};t=\\d+$`),
    );
    expect(answers[3]!.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(answers[3]!.headers.get('ratelimit')).toMatch(/"token-client";r=0;t=\d+$/);
  });

  /** A client of its own, for a test that spends or guards one budget. */
  async function freshClient(id: string, method?: 'client_secret_post') {
    const client = { id, secret: `${id}-secret-0123456789abcdef0123456789abcdef` };
    await auth.addClient({
      ...client,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      ...(method ? { tokenEndpointAuthMethod: method } : {}),
    });
    return client;
  }
  /** `r` of the token-client policy in the answer's RateLimit header, if it has one. */
  const clientRemaining = (answer: { headers: Headers }) =>
    /"token-client";r=(\d+);t=\d+/.exec(answer.headers.get('ratelimit') ?? '')?.[1];

  it('does not let a stranger spend a client budget with a wrong secret (invalid_client)', async () => {
    const victim = await freshClient('victim');
    for (let i = 0; i < PER_CLIENT * 3; i += 1) {
      const forged = await post('/token', { ip: freshIp(), basic: { id: victim.id, secret: 'guessed' } });
      expect(forged.status).toBe(401);
      expect(forged.body.error).toBe('invalid_client');
      // Nothing about the client's budget goes to a caller that is not the client.
      expect(forged.headers.get('ratelimit-policy')).toBe(`"token-ip";q=${PER_IP};w=60`);
    }
    const own = await post('/token', { ip: freshIp(), basic: victim });
    expect(own.status).toBe(200);
    expect(clientRemaining(own)).toBe(String(PER_CLIENT - 1));
  });

  it('does not let a stranger spend a client budget with requests refused before authentication', async () => {
    const victim = await freshClient('victim-400');
    const wrong = { id: victim.id, secret: 'wrong' };
    // The reviewer's probe: a content type oidc-provider refuses before it looks at the secret.
    for (let i = 0; i < 5; i += 1) {
      const probe = await post('/token', { ip: freshIp(), basic: wrong, contentType: 'text/plain' });
      expect(probe.status).toBe(400);
      expect(probe.body.error).toBe('invalid_request');
    }
    // Two authentication methods at once.
    const twice = await post('/token', {
      ip: freshIp(),
      basic: wrong,
      form: { grant_type: 'client_credentials', client_secret: 'also-wrong' },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe('invalid_request');
    // The client named in client_id and in an (unsigned) attestation: oidc-provider finds the client, then
    // refuses the request as invalid_request without authenticating it.
    const attestation = [{ alg: 'none' }, { sub: victim.id }, {}]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');
    const attested = await post('/token', {
      ip: freshIp(),
      form: { grant_type: 'client_credentials', client_id: victim.id },
      headers: { 'oauth-client-attestation': attestation },
    });
    expect(attested.status).toBe(400);
    expect(attested.body.error).toBe('invalid_request');

    const own = await post('/token', { ip: freshIp(), basic: victim });
    expect(own.status).toBe(200);
    expect(clientRemaining(own)).toBe(String(PER_CLIENT - 1));
  });

  it('charges an authenticated client for a request it gets wrong', async () => {
    const client = await freshClient('clumsy');
    const notAllowed = await post('/token', {
      ip: freshIp(),
      basic: client,
      form: { grant_type: 'password', username: 'alice', password: 'whatever' },
    });
    expect(notAllowed.status).toBe(400);
    expect(notAllowed.body.error).toBe('unauthorized_client');
    expect(clientRemaining(notAllowed)).toBe(String(PER_CLIENT - 1));
  });

  it('refuses a client whose budget is used up without counting the refusals', async () => {
    const client = await freshClient('busy');
    for (let i = 0; i < PER_CLIENT; i += 1) {
      expect((await post('/token', { ip: freshIp(), basic: client })).status).toBe(200);
    }
    for (const basic of [client, { id: client.id, secret: 'anyone' }]) {
      const refused = await post('/token', { ip: freshIp(), basic });
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('temporarily_unavailable');
      expect(refused.headers.get('ratelimit')).toMatch(/"token-client";r=0;t=\d+$/);
    }
    expect(await redis.get(`${keyPrefix}token-client:${client.id}`)).toBe(String(PER_CLIENT));
  });

  it('charges a client_secret_post client once authenticated; over its budget, its next Basic request is refused', async () => {
    const client = await freshClient('post-client', 'client_secret_post');
    const form = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
    const answers = [];
    for (let i = 0; i < PER_CLIENT + 1; i += 1) answers.push(await post('/token', { ip: freshIp(), form }));
    // Its id is in the body, which is not read ahead of oidc-provider: counted after, never refused before.
    expect(answers.map((answer) => answer.status)).toEqual(Array(PER_CLIENT + 1).fill(200));
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe(
      `"token-ip";q=${PER_IP};w=60, "token-client";q=${PER_CLIENT};w=60`,
    );
    expect(answers.map(clientRemaining)).toEqual([
      ...Array.from({ length: PER_CLIENT }, (_, i) => String(PER_CLIENT - 1 - i)),
      '0',
    ]);
    expect((await post('/token', { ip: freshIp(), basic: client })).status).toBe(429);
  });

  it('validates its options', () => {
    expect(() => createTokenEndpointRateLimit(undefined as never)).toThrow(TypeError);
    expect(() =>
      createTokenEndpointRateLimit({ keyPrefix: 'x:', perIpPerMinute: 0, perClientPerMinute: 1 }),
    ).toThrow(/perIpPerMinute must be a positive integer/);
    expect(() =>
      createTokenEndpointRateLimit({
        keyPrefix: 'x:',
        perIpPerMinute: 1,
        perClientPerMinute: 1,
        routes: ['/a/:id'],
      }),
    ).toThrow(TypeError);
  });
});
