import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Router from '@koa/router';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type GuardState } from '@portcullis/guard/koa';
import { createJsonApi, createLogger } from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type Listening, listen } from '../../../../packages/service-kit/test/unit/listen.js';
import {
  createTestSigningKey,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { createSubjectRateLimit, withSubjectRateLimit } from '../../src/http/subject-rate-limit.js';

const ISSUER = 'https://auth.rate-limit.test';
const AUDIENCE = 'https://api.rate-limit.test';
const PER_MINUTE = 3;

/**
 * Per-subject limits on resource routes, keyed on the router's route template, shared through the real
 * Redis by two app instances (two resource servers) behind a real guard.
 */
describe('createSubjectRateLimit', () => {
  const { keyPrefix } = uniqueLayout();
  let redis: Redis;
  let key: TestSigningKey;
  let jwks: JwksServer;
  const servers: Listening[] = [];
  let requirementSeen: unknown;

  const buildInstance = async (): Promise<Listening> => {
    const guard = withSubjectRateLimit(
      createKoaGuard({
        verifier: createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }),
        realm: 'test',
      }),
      createSubjectRateLimit({
        redis,
        keyPrefix,
        perMinute: PER_MINUTE,
        routes: { 'DELETE /items/:id': 1, '/things': 5 },
      }),
    );
    const router = new Router<GuardState>();
    const canRead = guard.require({ scopes: ['items:read'] });
    requirementSeen = (canRead as { requirement?: unknown }).requirement;
    const answer = (ctx: { body: unknown; state: GuardState }) => {
      ctx.body = { subject: ctx.state.principal.subject };
    };
    router.get('/items/:id', canRead, answer);
    router.delete('/items/:id', canRead, answer);
    router.get('/things', guard.authenticate(), answer);
    router.post('/things', guard.authenticate(), answer);
    const app = createJsonApi<GuardState>({
      logger: createLogger('resource-server', 'silent'),
      trustProxy: false,
      readiness: {},
      routers: [router],
    });
    const server = await listen(app);
    servers.push(server);
    return server;
  };

  let first: Listening;
  let second: Listening;

  beforeAll(async () => {
    redis = await connectedClient();
    key = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
    first = await buildInstance();
    second = await buildInstance();
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await jwks?.close();
    if (redis) {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });

  const userToken = (subject: string) =>
    forgeAccessToken(
      key,
      { issuer: ISSUER, audience: AUDIENCE },
      { claims: { sub: subject, grant_id: `g-${subject}` } },
    );
  const call = async (server: Listening, method: string, path: string, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  it('shares a per-subject budget per route template across instances (/items/1 and /items/2 are one route)', async () => {
    const token = await userToken('user-1');
    const answers = [];
    for (let i = 0; i < PER_MINUTE + 1; i += 1) {
      answers.push(await call(i % 2 === 0 ? first : second, 'GET', `/items/${i}`, token));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe(`"subject";q=${PER_MINUTE};w=60`);
    expect(answers[0]!.headers.get('ratelimit')).toMatch(
      new RegExp(`^"subject";r=${PER_MINUTE - 1};t=\\d+$`),
    );

    const refused = answers[PER_MINUTE]!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toBe(`"subject";r=0;t=${retryAfter}`);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ title: 'Too Many Requests', status: 429 });
  });

  it('gives every route and every subject its own budget', async () => {
    const token = await userToken('user-1');
    expect((await call(first, 'GET', '/things', token)).status).toBe(200);
    expect((await call(first, 'GET', '/items/9', await userToken('user-2'))).status).toBe(200);
  });

  it('applies per-route overrides: one method, or every method of a path', async () => {
    const token = await userToken('user-3');
    expect((await call(first, 'DELETE', '/items/1', token)).status).toBe(200);
    const refused = await call(second, 'DELETE', '/items/2', token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"DELETE /items/:id";q=1;w=60');

    const things = await call(first, 'POST', '/things', token);
    expect(things.headers.get('ratelimit-policy')).toBe('"/things";q=5;w=60');
    // The same subject's GET /items/:id budget is untouched by the override routes.
    expect((await call(first, 'GET', '/items/1', token)).headers.get('ratelimit')).toMatch(
      new RegExp(`^"subject";r=${PER_MINUTE - 1};`),
    );
  });

  it('counts a client_credentials token under its client', async () => {
    const token = await forgeAccessToken(
      key,
      { issuer: ISSUER, audience: AUDIENCE },
      { claims: { sub: 'svc-1', client_id: 'svc-1' } },
    );
    const answer = await call(first, 'GET', '/items/1', token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"subject";r=${PER_MINUTE - 1};`));
    expect(await redis.exists(`${keyPrefix}subject:client:svc-1|GET /items/:id`)).toBe(1);
  });

  it('leaves requests the guard refuses uncounted', async () => {
    const answer = await call(first, 'GET', '/items/1');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('ratelimit')).toBeNull();
  });

  it('keeps the requirement on the wrapped guard middleware', () => {
    expect(requirementSeen).toEqual({ scopes: ['items:read'] });
  });

  it('validates its options', () => {
    expect(() => createSubjectRateLimit(undefined as never)).toThrow(TypeError);
    expect(() => createSubjectRateLimit({ keyPrefix, perMinute: 0 })).toThrow(TypeError);
    expect(() => createSubjectRateLimit({ keyPrefix, perMinute: 1, routes: { 'items/:id': 1 } })).toThrow(
      /must be "<path template>" or "<METHOD> <path template>"/,
    );
    expect(() => createSubjectRateLimit({ keyPrefix, perMinute: 1, routes: { '/items': 0 } })).toThrow(
      TypeError,
    );
  });
});
