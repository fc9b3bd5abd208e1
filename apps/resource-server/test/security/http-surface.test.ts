import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ServiceProcess, startServiceProcess } from '../../../../test/support/service-process.js';
import { itSendsBaselineSecurityHeaders } from '../../../auth-server/test/security/baseline-header-cases.js';
import {
  basic,
  expectNoInternals,
  postForm,
  type RawAnswer,
  rawRequest,
  type SecurityServer,
  startSecurityServer,
} from '../../../auth-server/test/security/security-fixture.js';
import { testResource } from '../../../auth-server/test/support/test-environment.js';

const resourceServerMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const ALLOWED_ORIGIN = 'https://app.portcullis.test';
const OTHER_ORIGIN = 'https://evil.portcullis.test';
const PROBLEM = /^application\/problem\+json/;

/**
 * Black-box HTTP surface of the built resource server (the example items API) beside the built auth server:
 * headers, banners, RFC 9457 problem bodies without internals, 404 vs 405, body limits, where a bearer token
 * may come from (RFC 6750 §2), and CORS.
 *
 * The guard's token attack matrix (forged, expired, wrong audience, alg confusion, revoked...) runs
 * in-process in apps/resource-server/test/integration/attack-matrix.test.ts and is not repeated here; the
 * token-placement cases below are the ones a deployment's HTTP stack could change, so they are checked
 * again against the real process.
 */
describe('security: resource server HTTP surface', () => {
  let fixture: SecurityServer;
  let api: ServiceProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    fixture = await startSecurityServer();
    api = await startServiceProcess('resource-server', resourceServerMain, {
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      ISSUER: fixture.server.url,
      AUDIENCE: testResource,
      DATABASE_URL: fixture.databaseUrl,
      CORS_ORIGINS: ALLOWED_ORIGIN,
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    url = api.url;
    const answer = await postForm(
      fixture.server.url,
      '/token',
      { grant_type: 'client_credentials', scope: 'items:read items:write' },
      { authorization: basic('demo-service', fixture.secretOf('demo-service')) },
    );
    if (answer.status !== 200) throw new Error(`no token: ${answer.text}`);
    token = answer.json?.access_token as string;
  }, 60_000);

  afterAll(async () => {
    const died = api && (api.child.exitCode !== null || api.child.signalCode !== null);
    await api?.stop();
    await fixture?.stop();
    if (died) throw new Error(`the resource server died during the tests:\n${api.output()}`);
  });

  const get = (path: string, headers: Record<string, string | string[]> = {}) =>
    rawRequest(url, path, { method: 'GET', headers });
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const json = (method: string, path: string, body: string, type = 'application/json') =>
    rawRequest(url, path, { method, headers: { ...bearer(), 'content-type': type }, body });

  /** One of each kind of answer, by label. */
  const samples = async (): Promise<[string, RawAnswer][]> => [
    ['200', await get('/items', bearer())],
    ['401', await get('/items')],
    ['403', await get('/items/statistics', bearer())],
    ['400 query token', await get(`/items?access_token=${token}`)],
    ['404', await get('/no/such/path', bearer())],
    ['405', await rawRequest(url, '/items', { method: 'PUT', headers: bearer() })],
    ['413', await json('POST', '/items', JSON.stringify({ name: 'x'.repeat(64 * 1024) }))],
    ['415', await json('POST', '/items', 'name=x', 'text/plain')],
    ['healthz', await get('/healthz')],
  ];
  const expectProblem = (answer: RawAnswer, status: number, submitted: string[] = [token]) => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(PROBLEM);
    expect(answer.json).toMatchObject({ status });
    expectNoInternals(answer.text, submitted);
  };

  it('RFC 6750 §2.1: positive control: the service token in the Authorization header reads items', async () => {
    expect((await get('/items', bearer())).status).toBe(200);
  });

  describe('headers', () => {
    itSendsBaselineSecurityHeaders(samples);
  });

  describe('where a bearer token may come from (RFC 6750 §2)', () => {
    it('RFC 6750 §2.3 / §5.3: refuses a token in the query string with 400 invalid_request, never echoing it', async () => {
      for (const headers of [{}, bearer()]) {
        const answer = await get(`/items?access_token=${token}`, headers);
        expectProblem(answer, 400);
        expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_request"/);
      }
    });

    it('RFC 6750 §2.2: a token in a form body is not read: no credentials, 401 with a bare challenge', async () => {
      const answer = await rawRequest(url, '/items', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `access_token=${token}&name=x`,
      });
      expectProblem(answer, 401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="portcullis-items"');
    });

    it('RFC 9110 §5.3 / RFC 6750 §2.1: refuses two Authorization header lines with 400 invalid_request', async () => {
      const answer = await get('/items', { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
      expectProblem(answer, 400);
      expect(answer.headers['www-authenticate']).toContain('error="invalid_request"');
    });

    it('RFC 6750 §3.1: a made-up token is 401 invalid_token, and the body does not repeat it', async () => {
      const madeUp = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.';
      const answer = await get('/items', { authorization: `Bearer ${madeUp}` });
      expectProblem(answer, 401, [madeUp, token]);
      expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('RFC 6750 §3.1: a good token that is not enough is 403 insufficient_scope', async () => {
      const answer = await get('/items/statistics', bearer());
      expectProblem(answer, 403);
      expect(answer.headers['www-authenticate']).toContain('error="insufficient_scope"');
    });
  });

  describe('errors and routing', () => {
    it('RFC 9457 / OWASP ASVS 7.4.1: unknown paths and odd item ids are problems without internals', async () => {
      for (const path of [
        '/no/such/path',
        '/items/00000000-0000-0000-0000-000000000000',
        "/items/1'%20OR%20'1'='1",
        '/items/..%2f..%2fetc%2fpasswd',
        '/items/%00',
      ]) {
        const answer = await get(path, bearer());
        expect({ path, refused: [400, 404].includes(answer.status) }).toEqual({ path, refused: true });
        expectProblem(answer, answer.status);
      }
    });

    it('RFC 9110 §15.5.6: a wrong method on a known path is 405 with Allow, not 404', async () => {
      for (const [method, path] of [
        ['PUT', '/items'],
        ['DELETE', '/me'],
        ['POST', '/healthz'],
      ] as const) {
        const answer = await rawRequest(url, path, { method, headers: bearer() });
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 405 });
        expect(answer.headers.allow).toEqual(expect.any(String));
        expect(answer.headers['content-type']).toMatch(PROBLEM);
      }
    });

    it('DESIGN "Errors": an oversized body is 413, another media type 415, broken JSON 400 — all problems', async () => {
      expectProblem(await json('POST', '/items', JSON.stringify({ name: 'x'.repeat(64 * 1024) })), 413);
      expectProblem(await json('POST', '/items', 'name=x', 'text/plain'), 415);
      expectProblem(await json('POST', '/items', '{"name": "x",'), 400);
      expectProblem(await json('POST', '/items', JSON.stringify({ name: 'x', owner: 'alice' })), 400);
    });
  });

  describe('CORS (explicit allowlist, OWASP HTML5 Security Cheat Sheet)', () => {
    const corsHeaders = (answer: RawAnswer) =>
      Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

    it('Fetch standard §3.2.5: an allowed origin is named back, with Vary: Origin and never credentials', async () => {
      const answer = await get('/items', { ...bearer(), origin: ALLOWED_ORIGIN });
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(String(answer.headers.vary)).toMatch(/\borigin\b/i);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('OWASP HTML5 Security Cheat Sheet: another origin gets no Access-Control-* header', async () => {
      for (const origin of [OTHER_ORIGIN, 'null', `${ALLOWED_ORIGIN}.evil.test`]) {
        const answer = await get('/items', { ...bearer(), origin });
        expect({ origin, cors: corsHeaders(answer) }).toEqual({ origin, cors: [] });
      }
    });

    it('Fetch standard §4.8: a preflight from an allowed origin is 204 with methods, headers and max-age', async () => {
      const answer = await rawRequest(url, '/items', {
        method: 'OPTIONS',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(String(answer.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(answer.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(Number(answer.headers['access-control-max-age'])).toBeGreaterThan(0);
    });

    it('OWASP HTML5 Security Cheat Sheet: a preflight from another origin is granted nothing', async () => {
      const answer = await rawRequest(url, '/items', {
        method: 'OPTIONS',
        headers: { origin: OTHER_ORIGIN, 'access-control-request-method': 'DELETE' },
      });
      expect(corsHeaders(answer)).toEqual([]);
    });
  });
});
