import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * The resource server's HTTP hygiene (issue 6): CORS only for the CORS_ORIGINS allowlist, a request id on
 * every answer, 405 with Allow and a problem body, JSON for every refusal.
 */

const ALLOWED = 'https://app.example.com';
const UUID = /^[0-9a-f-]{36}$/;

function accessControlHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

let stack: TestStack;
let token: string;

beforeAll(async () => {
  // GET /me limited to one request a minute per subject, to see a 429.
  stack = await startTestStack({}, { CORS_ORIGINS: ALLOWED, RATE_LIMIT_ROUTES: 'GET /me=1' });
  token = await stack.serviceToken('hygiene-svc', ['viewer'], ['items:read']);
});
afterAll(() => stack?.close());

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods the API has and the minimal headers', async () => {
    const response = await stack.api.request('/items/1', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type, x-anything',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')?.split(',').sort()).toEqual([
      'DELETE',
      'GET',
      'HEAD',
      'PATCH',
      'POST',
    ]);
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets an allowed origin read answers, refusals included (WWW-Authenticate exposed)', async () => {
    const ok = await stack.api.request('/items', { token, headers: { origin: ALLOWED } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const refused = await stack.api.request('/items', { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(refused.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });

  it('gives any other origin no Access-Control-* header, and refuses its preflight', async () => {
    const response = await stack.api.request('/items', {
      token,
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(200);
    expect(accessControlHeaders(response)).toEqual({});
    expect(response.headers.get('vary')).toMatch(/Origin/);
    const preflight = await stack.api.request('/items', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('content-type')).toBe('application/problem+json');
    expect(accessControlHeaders(preflight)).toEqual({});
  });
});

describe('request ids', () => {
  it('are on every answer: 200, 401, 404, 405, 429', async () => {
    const answers = [
      await stack.api.request('/items', { token }),
      await stack.api.request('/items'),
      await stack.api.request('/nowhere'),
      await stack.api.request('/items', { method: 'PUT', token }),
      await stack.api.request('/me', { token }),
      await stack.api.request('/me', { token }),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 401, 404, 405, 200, 429]);
    for (const response of answers) expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it('keep a well-formed inbound id and replace a malformed one', async () => {
    const kept = await stack.api.request('/healthz', { headers: { 'x-request-id': 'lb-42:7' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-42:7');
    const replaced = await stack.api.request('/healthz', { headers: { 'x-request-id': 'no spaces "here"' } });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('404 vs 405, and JSON bodies', () => {
  it('answers a wrong method 405 problem+json with Allow, on routes and health routes alike', async () => {
    for (const [path, allow] of [
      ['/items', /GET/],
      ['/healthz', /^GET$/],
    ] as const) {
      const response = await stack.api.request(path, { method: 'PUT', token });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toMatch(allow);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ title: 'Method Not Allowed', status: 405 });
    }
  });

  it('answers malformed input with JSON, never HTML or plain text', async () => {
    const answers = [
      await stack.api.request('/%E0%A4%A'),
      await stack.api.request('/items/%E0%A4%A', { token }),
      await stack.api.request('/items', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: '{"name":',
      }),
    ];
    for (const response of answers) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/(problem\+)?json/);
      await response.json();
    }
  });
});
