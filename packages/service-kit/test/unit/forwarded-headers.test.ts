import { afterEach, describe, expect, it } from '@jest/globals';
import type { Middleware } from 'koa';
import { createJsonApi, type RouteTable } from '../../src/create-json-api.js';
import { forwardedHeadersFromTrustedHops } from '../../src/forwarded-headers.js';
import { silentLogger } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

/** Answers with what Koa makes of the request's scheme and host. */
const whereAmI: RouteTable = {
  routes: (): Middleware => (ctx) => {
    ctx.body = { protocol: ctx.protocol, secure: ctx.secure, host: ctx.host };
  },
  allowedMethods: (): Middleware => (_ctx, next) => next(),
};

/**
 * Which X-Forwarded-Proto / X-Forwarded-Host entry Koa reads. A proxy that appends leaves the caller's own
 * entries on the left: Koa's default (the leftmost) would let a caller on plain http pass for https (HSTS,
 * secure-only logic) or name the host that absolute URLs are built with.
 */
describe('forwardedHeadersFromTrustedHops (through createJsonApi)', () => {
  let api: Listening | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function seen(trust: { trustProxy: boolean; proxyHops?: number }, headers: Record<string, string>) {
    api = await listen(createJsonApi({ logger: silentLogger, readiness: {}, routers: [whereAmI], ...trust }));
    const response = await fetch(`${api.url}/`, { headers });
    return {
      hsts: response.headers.get('strict-transport-security'),
      body: (await response.json()) as { protocol: string; secure: boolean; host: string },
    };
  }

  it('behind one proxy, a spoofed "https" left of what the proxy wrote does not count as secure', async () => {
    const { hsts, body } = await seen({ trustProxy: true }, { 'x-forwarded-proto': 'https, http' });
    expect(body).toMatchObject({ protocol: 'http', secure: false });
    expect(hsts).toBeNull();
  });

  it('behind one proxy, https written by the proxy counts, whatever the caller put left of it', async () => {
    const { hsts, body } = await seen({ trustProxy: true }, { 'x-forwarded-proto': 'http, https' });
    expect(body).toMatchObject({ protocol: 'https', secure: true });
    expect(hsts).toBe('max-age=31536000; includeSubDomains');
  });

  it('behind one proxy, the host is the one the proxy wrote', async () => {
    const { body } = await seen(
      { trustProxy: true },
      { 'x-forwarded-host': 'evil.example, api.example.com' },
    );
    expect(body.host).toBe('api.example.com');
  });

  it('behind two proxies, takes the entries the outer one wrote', async () => {
    const { body } = await seen(
      { trustProxy: true, proxyHops: 2 },
      {
        'x-forwarded-proto': 'http, https, http',
        'x-forwarded-host': 'evil.example, api.example.com, internal:8080',
      },
    );
    expect(body).toMatchObject({ protocol: 'https', host: 'api.example.com' });
  });

  it('with fewer entries than hops, takes the leftmost (as ctx.ip does)', async () => {
    const { body } = await seen({ trustProxy: true, proxyHops: 3 }, { 'x-forwarded-proto': 'https' });
    expect(body.protocol).toBe('https');
  });

  it('without trustProxy, ignores both headers', async () => {
    const { hsts, body } = await seen(
      { trustProxy: false },
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    );
    expect(body).toMatchObject({
      protocol: 'http',
      secure: false,
      host: expect.stringMatching(/^127\.0\.0\.1:/),
    });
    expect(hsts).toBeNull();
  });

  it('refuses a hop count that is not a positive integer', () => {
    for (const hops of [0, -1, 1.5, Number.NaN]) {
      expect(() => forwardedHeadersFromTrustedHops(hops)).toThrow(TypeError);
    }
  });
});
