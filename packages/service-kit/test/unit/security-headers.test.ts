import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { problemResponses } from '../../src/problem.js';
import { securityHeaders } from '../../src/security-headers.js';
import { type Listening, listen } from './listen.js';

let plain: Listening;
let behindProxy: Listening;

function app(proxy: boolean): Koa {
  const koa = new Koa({ proxy });
  koa.use(securityHeaders);
  koa.use(problemResponses({ error: () => undefined }));
  koa.use((ctx) => {
    if (ctx.path === '/fail') ctx.throw(400);
    ctx.body = { ok: true };
  });
  koa.silent = true;
  return koa;
}

beforeAll(async () => {
  plain = await listen(app(false));
  behindProxy = await listen(app(true));
});

afterAll(async () => {
  await plain.close();
  await behindProxy.close();
});

describe('securityHeaders', () => {
  it('sets the baseline headers on every response', async () => {
    const response = await fetch(`${plain.url}/`);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
  });

  it('keeps them on error responses written by problemResponses', async () => {
    const response = await fetch(`${plain.url}/fail`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });

  it('sends no HSTS over plain http', async () => {
    const response = await fetch(`${plain.url}/`);
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('ignores X-Forwarded-Proto unless the app trusts its proxy', async () => {
    const spoofed = await fetch(`${plain.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    const proxied = await fetch(`${behindProxy.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
