import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { createHealthRoutes, type ReadinessCheck } from '../../src/health-routes.js';
import { problemResponses } from '../../src/problem.js';
import { type Listening, listen } from './listen.js';

const checks: Record<string, ReadinessCheck> = {};
let server: Listening;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(problemResponses({ error: () => undefined }));
  app.use(
    createHealthRoutes({
      postgres: () => checks.postgres?.() ?? true,
      redis: () => checks.redis?.() ?? true,
    }),
  );
  app.use((ctx) => {
    ctx.body = { route: ctx.path };
  });
  server = await listen(app);
});

afterAll(async () => {
  await server.close();
});

async function get(path: string, method = 'GET') {
  const response = await fetch(`${server.url}${path}`, { method });
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    body: await response.json(),
  };
}

describe('createHealthRoutes', () => {
  it('answers /healthz without running any check', async () => {
    let ran = false;
    checks.postgres = () => {
      ran = true;
      return false;
    };
    expect(await get('/healthz')).toEqual({ status: 200, cacheControl: 'no-store', body: { status: 'ok' } });
    expect(ran).toBe(false);
  });

  it('answers /readyz 200 when every check passes', async () => {
    checks.postgres = async () => true;
    checks.redis = () => true;
    expect(await get('/readyz')).toEqual({
      status: 200,
      cacheControl: 'no-store',
      body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
    });
  });

  it('answers /readyz 503 naming the failing check', async () => {
    checks.postgres = async () => true;
    checks.redis = async () => false;
    expect(await get('/readyz')).toEqual({
      status: 503,
      cacheControl: 'no-store',
      body: { status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } },
    });
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('ECONNREFUSED 127.0.0.1:5432 password=hunter2');
      },
    ],
    ['rejects', () => Promise.reject(new Error('timeout'))],
  ])('counts a check that %s as unavailable, without leaking its error', async (_name, check) => {
    checks.postgres = check as ReadinessCheck;
    checks.redis = () => true;
    const answer = await get('/readyz');
    expect(answer).toEqual({
      status: 503,
      cacheControl: 'no-store',
      body: { status: 'unavailable', checks: { postgres: 'unavailable', redis: 'ok' } },
    });
    expect(JSON.stringify(answer.body)).not.toContain('hunter2');
  });

  it('passes other paths and methods on', async () => {
    checks.postgres = () => true;
    expect((await get('/items')).body).toEqual({ route: '/items' });
    expect((await get('/readyz', 'POST')).body).toEqual({ route: '/readyz' });
    expect((await get('/healthz/extra')).body).toEqual({ route: '/healthz/extra' });
  });

  it('is ready with no checks at all', async () => {
    const app = new Koa();
    app.use(createHealthRoutes({}));
    const bare = await listen(app);
    try {
      const response = await fetch(`${bare.url}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ready', checks: {} });
    } finally {
      await bare.close();
    }
  });
});
