import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CapturedLogs, captureLogs } from '../../../../packages/service-kit/test/unit/capture-logs.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { basicAuthorization, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

/**
 * The public listener's HTTP hygiene (issue 6): CORS only for the CORS_ORIGINS allowlist (oidc-provider's
 * own CORS, which reflects any origin, neutralised), a request id on every answer and log line, 405 with
 * Allow and a JSON body for a wrong method on a known path, JSON for every refusal, and X-Forwarded-*
 * read from the entry our proxy wrote.
 */

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';
const service = { id: 'svc', secret: 'svc-secret-0123456789abcdef0123456789abcdef' };
const UUID = /^[0-9a-f-]{36}$/;

function accessControlHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

function clientCredentials(server: TestAuthServer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuthorization(service.id, service.secret),
      ...headers,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'items:read' }),
  });
}

function preflight(server: TestAuthServer, path: string, origin: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': path.startsWith('/token') ? 'POST' : 'GET',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

let server: TestAuthServer;
let logs: CapturedLogs;

beforeAll(async () => {
  logs = captureLogs('info');
  server = await startTestAuthServer({ CORS_ORIGINS: ALLOWED }, { logger: logs.logger });
  await server.addClient({ ...service, grantTypes: ['client_credentials'], scopes: ['items:read'] });
});
afterAll(() => server?.close());

describe('CORS on the public listener, from an allowed origin', () => {
  it('answers the token endpoint preflight with the allowlist, GET/POST, Authorization/Content-Type and a max-age', async () => {
    const response = await preflight(server, '/token', ALLOWED);
    expect(response.status).toBe(204);
    expect(accessControlHeaders(response)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'Authorization,Content-Type',
      'access-control-max-age': '600',
    });
  });

  it('lets the browser read a token response, and the headers a client needs', async () => {
    const response = await clientCredentials(server, { origin: ALLOWED });
    expect(response.status).toBe(200);
    expect(accessControlHeaders(response)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-expose-headers': 'RateLimit,RateLimit-Policy,Retry-After,WWW-Authenticate,X-Request-Id',
    });
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('covers revocation, introspection, JWKS and both discovery documents', async () => {
    for (const path of [
      '/token/revocation',
      '/token/introspection',
      '/jwks',
      '/.well-known/openid-configuration',
    ]) {
      const response = await preflight(server, path, ALLOWED);
      expect({ path, status: response.status }).toEqual({ path, status: 204 });
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    }
    for (const path of [
      '/jwks',
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
    ]) {
      const response = await fetch(`${server.url}${path}`, { headers: { origin: ALLOWED } });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    }
  });
});

describe('CORS on the public listener, from any other origin', () => {
  it('refuses the preflight with a 403 problem and no Access-Control-* header', async () => {
    for (const path of ['/token', '/token/revocation', '/token/introspection', '/jwks']) {
      const response = await preflight(server, path, EVIL);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(accessControlHeaders(response)).toEqual({});
    }
  });

  it("gets no Access-Control-* header anywhere: oidc-provider's reflection of any origin is removed", async () => {
    for (const path of ['/jwks', '/.well-known/openid-configuration', '/nowhere']) {
      for (const headers of [{ origin: EVIL }, { origin: 'null' }, {}] as Record<string, string>[]) {
        const response = await fetch(`${server.url}${path}`, { headers });
        expect(accessControlHeaders(response)).toEqual({});
        expect(response.headers.get('vary')).toMatch(/Origin/);
      }
    }
    // Served (a browser cannot read it without CORS headers), never refused by oidc-provider's per-client
    // origin check, whose "origin … not allowed for client: <id>" told known client ids from unknown ones.
    const token = await clientCredentials(server, { origin: EVIL });
    expect(accessControlHeaders(token)).toEqual({});
    expect(token.status).toBe(200);
  });

  it('answers a wrong secret and an unknown client the same, whatever the Origin (no enumeration)', async () => {
    const answers = [];
    for (const id of [service.id, 'no-such-client']) {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: {
          origin: EVIL,
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:wrong-secret`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      answers.push({ status: response.status, body: await response.text() });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(401);
    expect(answers[0]?.body).not.toContain(EVIL);
  });

  it('leaves token requests without an Origin (servers, CLIs) alone', async () => {
    const response = await clientCredentials(server);
    expect(response.status).toBe(200);
    expect(accessControlHeaders(response)).toEqual({});
  });
});

describe('CORS off (no CORS_ORIGINS)', () => {
  let plain: TestAuthServer;
  beforeAll(async () => {
    plain = await startTestAuthServer();
  });
  afterAll(() => plain?.close());

  it('sends no Access-Control-* header at all, even where oidc-provider would send "*"', async () => {
    for (const headers of [{ origin: ALLOWED }, {}] as Record<string, string>[]) {
      const response = await fetch(`${plain.url}/jwks`, { headers });
      expect(response.status).toBe(200);
      expect(accessControlHeaders(response)).toEqual({});
    }
    const response = await preflight(plain, '/token', ALLOWED);
    expect(accessControlHeaders(response)).toEqual({});
  });
});

describe('request ids', () => {
  it('are on every answer: 200, 404, 405, an OAuth error', async () => {
    for (const [method, path, status] of [
      ['GET', '/jwks', 200],
      ['GET', '/nowhere', 404],
      ['GET', '/token', 405],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
    const oauthError = await fetch(`${server.url}/token`, { method: 'POST' });
    expect(oauthError.status).toBeGreaterThanOrEqual(400);
    expect(await oauthError.json()).toHaveProperty('error');
    expect(oauthError.headers.get('x-request-id')).toMatch(UUID);
  });

  it('keep a well-formed inbound id, and tie the access log and the refusal log line to it', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(service.id, 'wrong-secret'),
        'x-request-id': 'trace-401',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('trace-401');
    const lines = logs.lines.filter((line) => line.requestId === 'trace-401');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'token request refused', error: 'invalid_client' }),
        expect.objectContaining({ msg: 'request completed', method: 'POST', path: '/token', status: 401 }),
      ]),
    );
    expect(logs.raw()).not.toContain('wrong-secret');
  });

  it('never log a query string, which may carry a credential', async () => {
    await fetch(`${server.url}/jwks?access_token=${service.secret}`, {
      headers: { 'x-request-id': 'trace-query' },
    });
    expect(logs.lines.find((line) => line.requestId === 'trace-query')).toMatchObject({
      msg: 'request completed',
      path: '/jwks',
    });
    expect(logs.raw()).not.toContain(service.secret);
  });
});

describe('404 vs 405, and JSON bodies', () => {
  it('answers a wrong method on a known endpoint 405 problem+json with Allow', async () => {
    for (const [method, path, allow] of [
      ['GET', '/token', 'POST'],
      ['PUT', '/jwks', 'GET, HEAD'],
      ['DELETE', '/token/revocation', 'POST'],
      ['GET', '/token/introspection', 'POST'],
      ['POST', '/.well-known/openid-configuration', 'GET, HEAD'],
      ['POST', '/healthz', 'GET'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect({ method, path, status: response.status, allow: response.headers.get('allow') }).toEqual({
        method,
        path,
        status: 405,
        allow,
      });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toEqual({
        type: 'about:blank',
        title: 'Method Not Allowed',
        status: 405,
      });
    }
  });

  it('answers an OPTIONS that is not a preflight with Allow', async () => {
    const response = await fetch(`${server.url}/token`, { method: 'OPTIONS' });
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers an unknown path, with or without broken percent-encoding, 404 problem+json', async () => {
    for (const path of ['/nowhere', '/%E0%A4%A', '/token/%E0%A4%A', '/%', '/..%2f..%2fetc%2fpasswd']) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('answers bad JSON to the admin API with a 400 problem, without CORS (admin listener)', async () => {
    const token = await adminTokenWith(server, ['admin:roles:write']);
    const response = await fetch(`${server.adminUrl}/roles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: ALLOWED },
      body: '{"name": "x",',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(accessControlHeaders(response)).toEqual({});
    const wrongMethod = await adminRequest(server, '/roles', token, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toMatch(/POST/);
    expect(wrongMethod.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('429 from the token endpoint', () => {
  let limited: TestAuthServer;
  beforeAll(async () => {
    limited = await startTestAuthServer({ CORS_ORIGINS: ALLOWED, RATE_LIMIT_TOKEN_PER_IP: '1' });
  });
  afterAll(() => limited?.close());

  it('carries the request id, and lets an allowed browser origin read Retry-After', async () => {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 5 && response?.status !== 429; attempt += 1) {
      response = await clientCredentials(limited, { origin: ALLOWED });
    }
    expect(response?.status).toBe(429);
    expect(response?.headers.get('x-request-id')).toMatch(UUID);
    expect(response?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response?.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response?.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });
});

describe('behind a trusted proxy', () => {
  let proxied: TestAuthServer;
  beforeAll(async () => {
    proxied = await startTestAuthServer({ TRUST_PROXY: 'true', ISSUER: 'https://auth.example.com' });
  });
  afterAll(() => proxied?.close());

  it('builds discovery URLs from ISSUER, whatever Host or X-Forwarded-Host/-Proto say (no cache poisoning)', async () => {
    for (const headers of [
      { 'x-forwarded-host': 'evil.example, auth.example.com', 'x-forwarded-proto': 'http, https' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      {},
    ] as Record<string, string>[]) {
      const response = await fetch(`${proxied.url}/.well-known/openid-configuration`, { headers });
      const text = await response.text();
      expect((JSON.parse(text) as { jwks_uri: string }).jwks_uri).toBe('https://auth.example.com/jwks');
      expect(text).not.toContain('evil.example');
      // The public origin is https (the issuer's scheme): HSTS, which browsers honour only over https.
      expect(response.headers.get('strict-transport-security')).not.toBeNull();
    }
  });
});
