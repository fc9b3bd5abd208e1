import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { type CorsAllowlistOptions, corsAllowlist, corsOriginProblem } from '../../src/cors-allowlist.js';
import { problemResponses } from '../../src/problem.js';
import { silentLogger } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

const ALLOWED = 'https://app.example.com';

/** A JSON answer on /things, a 500 on /fail, and an OPTIONS answer as a router's allowedMethods() gives one. */
function app(options: CorsAllowlistOptions): Koa {
  const koa = new Koa();
  koa.silent = true;
  koa.use(corsAllowlist(options));
  koa.use(problemResponses(silentLogger));
  koa.use((ctx) => {
    if (ctx.path === '/fail') throw new Error('boom');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Allow', 'GET, POST');
      ctx.body = '';
      return;
    }
    ctx.body = { ok: true };
  });
  return koa;
}

function accessControlHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

let withAllowlist: Listening;
let corsOff: Listening;

beforeAll(async () => {
  // Listed in a non-canonical spelling: compared as serialized origins.
  withAllowlist = await listen(app({ origins: ['https://App.Example.com:443', 'http://localhost:5173'] }));
  corsOff = await listen(app({ origins: [] }));
});

afterAll(async () => {
  await withAllowlist.close();
  await corsOff.close();
});

describe('corsAllowlist, a request from a browser', () => {
  it('from an allowed origin gets that origin back, the exposed headers, no credentials, Vary: Origin', async () => {
    const response = await fetch(`${withAllowlist.url}/things`, { headers: { origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(accessControlHeaders(response)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-expose-headers': 'RateLimit,RateLimit-Policy,Retry-After,WWW-Authenticate,X-Request-Id',
    });
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('matches a port exactly: another port of the same host is another origin', async () => {
    const allowed = await fetch(`${withAllowlist.url}/things`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await fetch(`${withAllowlist.url}/things`, {
      headers: { origin: 'http://localhost:5174' },
    });
    expect(accessControlHeaders(other)).toEqual({});
  });

  it('from any other origin is served, with no Access-Control-* header (never *, never the origin reflected)', async () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.com.evil.example',
      'http://app.example.com',
      'null',
    ]) {
      const response = await fetch(`${withAllowlist.url}/things`, { headers: { origin } });
      expect(response.status).toBe(200);
      expect(accessControlHeaders(response)).toEqual({});
      expect(response.headers.get('vary')).toBe('Origin');
    }
  });

  it('without an Origin gets no Access-Control-* header', async () => {
    const response = await fetch(`${withAllowlist.url}/things`);
    expect(accessControlHeaders(response)).toEqual({});
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('keeps the headers on an error answer, so the calling script can read the problem', async () => {
    const response = await fetch(`${withAllowlist.url}/fail`, { headers: { origin: ALLOWED } });
    expect(response.status).toBe(500);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
});

describe('corsAllowlist, a preflight', () => {
  const preflight = (origin: string, base = withAllowlist.url) =>
    fetch(`${base}/things`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-evil',
      },
    });

  it('from an allowed origin is 204 with the configured methods and headers (not the requested ones) and a max-age', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(accessControlHeaders(response)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET,HEAD,POST',
      'access-control-allow-headers': 'Authorization,Content-Type',
      'access-control-max-age': '600',
    });
  });

  it('from any other origin is a 403 problem without Access-Control-* headers', async () => {
    const response = await preflight('https://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(accessControlHeaders(response)).toEqual({});
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('leaves an OPTIONS that is not a preflight to the routes', async () => {
    const response = await fetch(`${withAllowlist.url}/things`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  it('is not CORS at all when the allowlist is empty: no headers, the routes answer', async () => {
    const response = await preflight(ALLOWED, corsOff.url);
    expect(response.status).toBe(200);
    expect(accessControlHeaders(response)).toEqual({});
    const plain = await fetch(`${corsOff.url}/things`, { headers: { origin: ALLOWED } });
    expect(accessControlHeaders(plain)).toEqual({});
  });

  it('uses the configured lists and max-age', async () => {
    const custom = await listen(
      app({
        origins: [ALLOWED],
        allowMethods: ['DELETE'],
        allowHeaders: ['Authorization'],
        maxAgeSeconds: 30,
      }),
    );
    try {
      const response = await preflight(ALLOWED, custom.url);
      expect(accessControlHeaders(response)).toMatchObject({
        'access-control-allow-methods': 'DELETE',
        'access-control-allow-headers': 'Authorization',
        'access-control-max-age': '30',
      });
    } finally {
      await custom.close();
    }
  });
});

describe('corsAllowlist options', () => {
  it('refuses "*" and anything that is not an http(s) origin', () => {
    for (const origin of [
      '*',
      'https://app.example.com/',
      'https://app.example.com/path',
      'https://app.example.com?x=1',
      'https://user@app.example.com',
      'app.example.com',
      'ftp://app.example.com',
      'null',
      '',
    ]) {
      expect(() => corsAllowlist({ origins: [origin] })).toThrow(TypeError);
    }
  });

  it('says why "*" is refused', () => {
    expect(corsOriginProblem('*')).toMatch(/list each browser origin explicitly/);
    expect(corsOriginProblem('https://app.example.com/')).toMatch(/no path or trailing slash/);
    expect(corsOriginProblem('https://app.example.com')).toBeUndefined();
    expect(corsOriginProblem('http://[::1]:8080')).toBeUndefined();
  });

  it('refuses a bad method, header name or max-age', () => {
    expect(() => corsAllowlist({ origins: [ALLOWED], allowMethods: ['GET, POST'] })).toThrow(TypeError);
    expect(() => corsAllowlist({ origins: [ALLOWED], allowHeaders: ['X-Bad\r\nSet-Cookie'] })).toThrow(
      TypeError,
    );
    expect(() => corsAllowlist({ origins: [ALLOWED], maxAgeSeconds: -1 })).toThrow(TypeError);
    expect(() => corsAllowlist({ origins: [ALLOWED], maxAgeSeconds: 1.5 })).toThrow(TypeError);
  });
});
