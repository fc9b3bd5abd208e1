import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Router from '@koa/router';
import Koa from 'koa';
import { createHealthRoutes } from '../../src/health-routes.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { type Listening, listen } from './listen.js';

const metrics = createMetrics({ service: 'test-api', processMetrics: false });
let server: Listening;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(metrics.httpMiddleware);
  app.use(createHealthRoutes({ postgres: () => true }));
  // Stands in for oidc-provider, which names its route on ctx.oidc.
  app.use(async (ctx, next) => {
    if (ctx.path === '/token') {
      (ctx as unknown as { oidc: { route: string } }).oidc = { route: 'token' };
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant' };
      return;
    }
    await next();
  });
  const router = new Router();
  router.get('/items/:id', (ctx) => {
    ctx.body = { id: ctx.params.id };
  });
  router.get('/boom', () => {
    throw Object.assign(new Error('kaput'), { status: 503 });
  });
  router.get('/crash', () => {
    throw new Error('unexpected');
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  server = await listen(app);
});

afterAll(async () => {
  await server.close();
});

/** The value of the first sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const requests = 'portcullis_http_requests_total';

describe('metrics.httpMiddleware', () => {
  it('labels a routed request with its template, never the path', async () => {
    const before = await metrics.scrape();
    await fetch(`${server.url}/items/42`);
    await fetch(`${server.url}/items/43`);
    const after = await metrics.scrape();
    const labels = { method: 'GET', route: '/items/:id', status: '200', service: 'test-api' };
    expect((sample(after, requests, labels) ?? 0) - (sample(before, requests, labels) ?? 0)).toBe(2);
    expect(after).not.toContain('/items/42');
    expect(sample(after, 'portcullis_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(2);
    expect(
      sample(after, 'portcullis_http_request_duration_seconds_bucket', { ...labels, le: '5' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('counts an unknown path as unmatched, whatever the path', async () => {
    const path = '/wp-admin/attacker-chosen-0d2b7c';
    await fetch(`${server.url}${path}`);
    await fetch(`${server.url}/another/unique/path?x=1`);
    const text = await metrics.scrape();
    expect(
      sample(text, requests, { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('attacker-chosen');
    expect(text).not.toContain('/another/unique/path');
  });

  it('names health checks and provider routes', async () => {
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/readyz`);
    await fetch(`${server.url}/token`, { method: 'POST' });
    const text = await metrics.scrape();
    expect(sample(text, requests, { route: '/healthz', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, requests, { route: '/readyz', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, requests, { method: 'POST', route: 'token', status: '400' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('counts a non-standard method as other', async () => {
    await fetch(`${server.url}/items/1`, { method: 'PROPFIND' });
    expect(sample(await metrics.scrape(), requests, { method: 'other' })).toBeGreaterThanOrEqual(1);
    expect(await metrics.scrape()).not.toContain('PROPFIND');
  });

  it('records the status of a thrown error as Koa answers it', async () => {
    expect((await fetch(`${server.url}/boom`)).status).toBe(503);
    expect((await fetch(`${server.url}/crash`)).status).toBe(500);
    const text = await metrics.scrape();
    expect(sample(text, requests, { route: '/boom', status: '503' })).toBe(1);
    expect(sample(text, requests, { route: '/crash', status: '500' })).toBe(1);
  });
});
