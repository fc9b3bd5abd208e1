import { afterEach, describe, expect, it } from '@jest/globals';
import type { Middleware } from 'koa';
import { createJsonApi, type JsonApiOptions, type RouteTable } from '../../src/create-json-api.js';
import { silentLogger } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

/** A route table that answers every request with the address Koa attributes it to. */
const whoAmI: RouteTable = {
  routes: (): Middleware => (ctx) => {
    ctx.body = { ip: ctx.ip };
  },
  allowedMethods: (): Middleware => (_ctx, next) => next(),
};

/**
 * Which X-Forwarded-For entry becomes ctx.ip. Entries left of the ones our proxies appended are the
 * caller's to write: with them, a caller would pick its own address for per-address limits.
 */
describe('createJsonApi behind proxies', () => {
  let api: Listening | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function ipSeen(options: Partial<JsonApiOptions>, forwardedFor?: string): Promise<string> {
    api = await listen(
      createJsonApi({
        logger: silentLogger,
        trustProxy: false,
        readiness: {},
        routers: [whoAmI],
        ...options,
      }),
    );
    const response = await fetch(`${api.url}/`, {
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });
    return ((await response.json()) as { ip: string }).ip;
  }

  it('with trustProxy, takes the entry our one proxy appended, not the leftmost one the caller wrote', async () => {
    expect(await ipSeen({ trustProxy: true }, 'spoofed, 203.0.113.9')).toBe('203.0.113.9');
  });

  it('with proxyHops 2, takes the entry the outer of our two proxies appended', async () => {
    expect(await ipSeen({ trustProxy: true, proxyHops: 2 }, 'spoofed, 203.0.113.9, 10.0.0.2')).toBe(
      '203.0.113.9',
    );
  });

  it('with trustProxy, a single entry is the address', async () => {
    expect(await ipSeen({ trustProxy: true }, '198.51.100.4')).toBe('198.51.100.4');
  });

  it('without trustProxy, ignores X-Forwarded-For', async () => {
    expect(await ipSeen({ trustProxy: false }, 'spoofed, 203.0.113.9')).toMatch(/127\.0\.0\.1$/);
  });

  it('refuses a proxyHops that is not a positive integer', () => {
    for (const proxyHops of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        createJsonApi({
          logger: silentLogger,
          trustProxy: true,
          proxyHops,
          readiness: {},
          routers: [],
        }),
      ).toThrow(/proxyHops must be a positive integer/);
    }
  });
});
