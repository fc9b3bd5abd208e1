import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { type Listening, listen } from '../../../service-kit/test/unit/listen.js';
import { createRateLimiter } from '../../src/index.js';
import { appendRateLimitHeaders, rateLimit } from '../../src/koa/index.js';

describe('rateLimit (Koa)', () => {
  let server: Listening;

  beforeAll(async () => {
    const app = new Koa();
    const perCaller = createRateLimiter({
      keyPrefix: 'koa:',
      name: 'caller',
      points: 2,
      durationSeconds: 60,
    });
    const perPath = createRateLimiter({ keyPrefix: 'koa:', name: 'path', points: 100, durationSeconds: 60 });
    app.use(rateLimit({ limiter: perPath, key: (ctx) => ctx.path }));
    app.use(
      rateLimit({
        limiter: perCaller,
        key: (ctx) => ctx.get('x-caller') || undefined,
        onLimited: (ctx, result) => {
          if (ctx.path === '/oauth')
            ctx.body = { error: 'temporarily_unavailable', wait: result.retryAfterSeconds };
          else ctx.body = { custom: true };
        },
      }),
    );
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    server = await listen(app);
  });
  afterAll(() => server.close());

  it('sets the headers of every counting limiter on an allowed answer', async () => {
    const response = await fetch(`${server.url}/a`, { headers: { 'x-caller': 'alice' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe('"path";q=100;w=60, "caller";q=2;w=60');
    expect(response.headers.get('ratelimit')).toMatch(/^"path";r=99;t=\d+, "caller";r=1;t=\d+$/);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('lets a request without a key through uncounted by that limiter', async () => {
    const response = await fetch(`${server.url}/b`);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe('"path";q=100;w=60');
  });

  it('answers 429 with Retry-After and the body onLimited writes', async () => {
    await fetch(`${server.url}/oauth`, { headers: { 'x-caller': 'bob' } });
    await fetch(`${server.url}/oauth`, { headers: { 'x-caller': 'bob' } });
    const response = await fetch(`${server.url}/oauth`, { headers: { 'x-caller': 'bob' } });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers.get('ratelimit')).toContain(`"caller";r=0;t=${retryAfter}`);
    expect(await response.json()).toEqual({ error: 'temporarily_unavailable', wait: retryAfter });
  });

  it('writes an RFC 9457 problem by default', async () => {
    const app = new Koa();
    app.use(
      rateLimit({
        limiter: createRateLimiter({ keyPrefix: 'koa:', name: 'one', points: 1, durationSeconds: 60 }),
        key: () => 'everyone',
      }),
    );
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const single = await listen(app);
    try {
      expect((await fetch(single.url)).status).toBe(200);
      const refused = await fetch(single.url);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toEqual({
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: expect.stringMatching(/^rate limit exceeded; retry after \d+ s$/),
      });
    } finally {
      await single.close();
    }
  });

  it('appendRateLimitHeaders adds a count made after the answer without refusing it', async () => {
    const app = new Koa();
    const limiter = createRateLimiter({ keyPrefix: 'koa:', name: 'after', points: 1, durationSeconds: 60 });
    app.use(async (ctx, next) => {
      await next();
      appendRateLimitHeaders(ctx, await limiter.consume('everyone'));
    });
    app.use((ctx) => {
      ctx.set('RateLimit-Policy', '"inner";q=5;w=60');
      ctx.set('RateLimit', '"inner";r=4;t=60');
      ctx.body = 'ok';
    });
    const single = await listen(app);
    try {
      const first = await fetch(single.url);
      expect(first.headers.get('ratelimit-policy')).toBe('"inner";q=5;w=60, "after";q=1;w=60');
      expect(first.headers.get('ratelimit')).toMatch(/^"inner";r=4;t=60, "after";r=0;t=\d+$/);
      const over = await fetch(single.url);
      expect(over.status).toBe(200);
      expect(await over.text()).toBe('ok');
      expect(over.headers.get('ratelimit')).toMatch(/"after";r=0;t=\d+$/);
      expect(over.headers.get('retry-after')).toBeNull();
    } finally {
      await single.close();
    }
  });

  it('validates its options', () => {
    const limiter = createRateLimiter({ keyPrefix: 'koa:', name: 'v', points: 1, durationSeconds: 1 });
    expect(() => rateLimit({ limiter: {} as never, key: () => 'k' })).toThrow(TypeError);
    expect(() => rateLimit({ limiter, key: 'ip' as never })).toThrow(TypeError);
    expect(() => rateLimit({ limiter, key: () => 'k', onLimited: 1 as never })).toThrow(TypeError);
  });
});
