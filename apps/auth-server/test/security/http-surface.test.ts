import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { itSendsBaselineSecurityHeaders } from './baseline-header-cases.js';
import {
  basic,
  expectNoInternals,
  FORM,
  postForm,
  type RawAnswer,
  rawRequest,
  type SecurityServer,
  startSecurityServer,
} from './security-fixture.js';

const ALLOWED_ORIGIN = 'https://app.portcullis.test';
const OTHER_ORIGIN = 'https://evil.portcullis.test';

/**
 * Black-box HTTP surface of the auth server's public listener: security headers on every kind of answer,
 * no banner, problem bodies without internals, 404 vs 405, metadata and JWKS that publish nothing secret,
 * no Host-header poisoning, and CORS by explicit allowlist only.
 */
describe('security: auth server HTTP surface', () => {
  let fixture: SecurityServer;
  let url: string;
  let service: string;

  beforeAll(async () => {
    fixture = await startSecurityServer({ CORS_ORIGINS: ALLOWED_ORIGIN });
    url = fixture.server.url;
    service = basic('demo-service', fixture.secretOf('demo-service'));
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  /** One of each kind of answer the public listener gives, by label. */
  const samples = (): Promise<[string, RawAnswer][]> =>
    Promise.all(
      (
        [
          [
            'token 200',
            () => postForm(url, '/token', { grant_type: 'client_credentials' }, { authorization: service }),
          ],
          [
            'token 400',
            () => postForm(url, '/token', { grant_type: 'nonsense' }, { authorization: service }),
          ],
          [
            'token 401',
            () =>
              postForm(
                url,
                '/token',
                { grant_type: 'client_credentials' },
                { authorization: basic('x', 'y') },
              ),
          ],
          [
            'token 413',
            () => postForm(url, '/token', { padding: 'a'.repeat(20_000) }, { authorization: service }),
          ],
          ['discovery', () => rawRequest(url, '/.well-known/openid-configuration', { method: 'GET' })],
          ['jwks', () => rawRequest(url, '/jwks', { method: 'GET' })],
          ['healthz', () => rawRequest(url, '/healthz', { method: 'GET' })],
          ['404', () => rawRequest(url, '/no/such/path', { method: 'GET' })],
          ['405', () => rawRequest(url, '/token', { method: 'GET' })],
        ] as [string, () => Promise<RawAnswer>][]
      ).map(async ([label, send]) => [label, await send()] as [string, RawAnswer]),
    );

  describe('headers', () => {
    itSendsBaselineSecurityHeaders(samples);

    it('RFC 6749 §5.1: a token answer is Cache-Control: no-store', async () => {
      const answers = Object.fromEntries(await samples());
      expect(answers['token 200']!.status).toBe(200);
      expect(answers['token 200']!.headers['cache-control']).toBe('no-store');
    });
  });

  describe('errors and routing', () => {
    it('RFC 9457 / OWASP ASVS 7.4.1: a 404 is problem+json without internals, whatever the path', async () => {
      for (const path of [
        '/no/such/path',
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/token/%00',
        '/users',
      ]) {
        const answer = await rawRequest(url, path, { method: 'GET' });
        expect({ path, status: answer.status }).toEqual({ path, status: 404 });
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.json).toMatchObject({ status: 404 });
        expectNoInternals(answer.text);
      }
    });

    it('DESIGN "Admin and public are different listeners": no admin route answers on the public port', async () => {
      for (const path of ['/users', '/clients', '/revocations', '/keys', '/audit', '/docs']) {
        const answer = await rawRequest(url, path, { method: 'GET' });
        expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      }
    });

    it('RFC 9110 §15.5.6: a wrong method on a known path is 405 with Allow, as a problem', async () => {
      for (const [method, path, allowed] of [
        ['GET', '/token', 'POST'],
        ['PUT', '/token/revocation', 'POST'],
        ['POST', '/jwks', 'GET'],
        ['DELETE', '/.well-known/openid-configuration', 'GET'],
      ] as const) {
        const answer = await rawRequest(url, path, { method });
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 405 });
        expect(answer.headers.allow).toContain(allowed);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expectNoInternals(answer.text);
      }
    });

    it('OWASP WSTG-CONF-06 (cross-site tracing): TRACE reflects nothing', async () => {
      const answer = await rawRequest(url, '/token', {
        method: 'TRACE',
        headers: { 'x-trace-secret': 'reflect-me-123' },
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toContain('reflect-me-123');
    });

    it('RFC 9110 §15.5.15: an oversized request line or header block is refused with a 4xx, not a crash', async () => {
      const longPath = await rawRequest(url, `/token?${'q'.repeat(20_000)}`, {
        headers: { 'content-type': FORM },
        body: 'grant_type=client_credentials',
      });
      expect(longPath.status).toBeGreaterThanOrEqual(400);
      expect(longPath.status).toBeLessThan(500);
      const health = await rawRequest(url, '/healthz', { method: 'GET' });
      expect(health.status).toBe(200);
    });
  });

  describe('metadata', () => {
    it('RFC 7517 §9.3 / RFC 7518 §6: JWKS publishes public keys only', async () => {
      const answer = await rawRequest(url, '/jwks', { method: 'GET' });
      expect(answer.status).toBe(200);
      const keys = answer.json?.keys as Record<string, unknown>[];
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) {
          expect(key[privateMember]).toBeUndefined();
        }
        expect(['EC', 'OKP', 'RSA']).toContain(key.kty);
      }
    });

    it('RFC 8414 §2: metadata lists exactly the enabled grants and client authentication methods, no HMAC algorithms', async () => {
      const answer = await rawRequest(url, '/.well-known/oauth-authorization-server', { method: 'GET' });
      expect(answer.status).toBe(200);
      const metadata = answer.json!;
      expect([...(metadata.grant_types_supported as string[])].sort()).toEqual([
        'client_credentials',
        'password',
        'refresh_token',
      ]);
      expect([...(metadata.token_endpoint_auth_methods_supported as string[])].sort()).toEqual([
        'client_secret_basic',
        'client_secret_post',
      ]);
      expect(metadata.authorization_endpoint).toBeUndefined();
      expect(JSON.stringify(metadata)).not.toMatch(/"HS(256|384|512)"|"none"/);
    });

    it('OWASP WSTG-INPV-17 (Host header injection): metadata URLs come from the configured issuer, not from Host', async () => {
      const answer = await rawRequest(url, '/.well-known/openid-configuration', {
        method: 'GET',
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      });
      expect(answer.status).toBe(200);
      expect(answer.json?.issuer).toBe(url);
      expect(answer.text).not.toContain('evil.example');
    });
  });

  describe('CORS (explicit allowlist, OWASP HTML5 Security Cheat Sheet)', () => {
    const tokenFrom = (origin: string) =>
      rawRequest(url, '/token', {
        headers: { 'content-type': FORM, authorization: service, origin },
        body: 'grant_type=client_credentials',
      });
    const preflight = (origin: string) =>
      rawRequest(url, '/token', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const corsHeaders = (answer: RawAnswer) =>
      Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

    it('Fetch standard §3.2.5: an allowed origin is named back, with Vary: Origin and never credentials', async () => {
      const answer = await tokenFrom(ALLOWED_ORIGIN);
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(String(answer.headers.vary)).toMatch(/\borigin\b/i);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('OWASP HTML5 Security Cheat Sheet: another origin gets no Access-Control-* header at all', async () => {
      for (const origin of [
        OTHER_ORIGIN,
        'null',
        `${ALLOWED_ORIGIN}.evil.test`,
        'http://app.portcullis.test',
      ]) {
        const answer = await tokenFrom(origin);
        expect({ origin, cors: corsHeaders(answer) }).toEqual({ origin, cors: [] });
      }
    });

    it('Fetch standard §4.8: a preflight from an allowed origin is 204 with methods, headers and max-age', async () => {
      const answer = await preflight(ALLOWED_ORIGIN);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(String(answer.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(answer.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(Number(answer.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('OWASP HTML5 Security Cheat Sheet: a preflight from another origin is granted nothing', async () => {
      const answer = await preflight(OTHER_ORIGIN);
      expect(corsHeaders(answer)).toEqual([]);
    });
  });
});
