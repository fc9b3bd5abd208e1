import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  basic,
  expectLogFreeOf,
  expectNoInternals,
  expectOAuthError,
  FORM,
  form,
  type RawAnswer,
  rawRequest,
  type SecurityServer,
  startSecurityServer,
} from './security-fixture.js';

/**
 * Black-box input handling of the token endpoint and its siblings (RFC 7009 revocation, RFC 7662
 * introspection), against the built server as a process. Every refusal is checked for its RFC 6749 §5.2
 * shape and for leaking nothing internal; every kind of refusal has a well-formed positive control built the
 * same way, so a 400 proves the one thing the case changed is what was refused.
 */
describe('security: token endpoint input', () => {
  let fixture: SecurityServer;
  let url: string;
  let service: string; // HTTP Basic for demo-service (client_credentials)
  let serviceSecret: string;
  /** The token endpoints' body cap (apps/auth-server/src/http/token-endpoint-body-guard.ts). */
  const BODY_LIMIT = 16 * 1024;

  beforeAll(async () => {
    fixture = await startSecurityServer();
    url = fixture.server.url;
    serviceSecret = fixture.secretOf('demo-service');
    service = basic('demo-service', serviceSecret);
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const raw = (body: string | Buffer, headers: Record<string, string | string[]> = {}, path = '/token') =>
    rawRequest(url, path, { headers: { 'content-type': FORM, authorization: service, ...headers }, body });
  const expectToken = (answer: RawAnswer) => {
    expect({ status: answer.status, body: answer.json }).toEqual({
      status: 200,
      body: expect.objectContaining({ token_type: 'Bearer', access_token: expect.any(String) }),
    });
    expect(answer.headers['cache-control']).toBe('no-store');
  };

  describe('positive controls', () => {
    it('RFC 6749 §4.4.2: issues a token for a well-formed client_credentials request', async () => {
      expectToken(await raw('grant_type=client_credentials&scope=items%3Aread'));
    });

    it('RFC 6749 Appendix B: decodes percent-encoded names and values and "+" as a space', async () => {
      const answer = await raw('grant%5Ftype=client%5Fcredentials&scope=items%3Aread+items%3Awrite');
      expectToken(answer);
      expect(answer.json?.scope).toBe('items:read items:write');
    });

    it('RFC 6749 Appendix B: accepts an explicit charset=utf-8', async () => {
      expectToken(await raw('grant_type=client_credentials', { 'content-type': `${FORM}; charset=utf-8` }));
    });

    it('accepts a body just under the size cap (unknown parameters are ignored, RFC 6749 §3.2)', async () => {
      const prefix = 'grant_type=client_credentials&padding=';
      const answer = await raw(`${prefix}${'a'.repeat(BODY_LIMIT - prefix.length)}`);
      expectToken(answer);
    });
  });

  describe('missing, empty and repeated parameters', () => {
    it('RFC 6749 §5.2: refuses a request without grant_type (invalid_request)', async () => {
      expectOAuthError(await raw('scope=items%3Aread'), 400, 'invalid_request');
    });

    it('RFC 6749 §5.2: an empty grant_type counts as missing (invalid_request)', async () => {
      expectOAuthError(await raw('grant_type=&scope=items%3Aread'), 400, 'invalid_request');
    });

    it('RFC 6749 §5.2: refuses an empty body (invalid_request)', async () => {
      expectOAuthError(await raw(''), 400, 'invalid_request');
    });

    it('RFC 6749 §3.2: refuses grant_type sent twice (invalid_request)', async () => {
      const body = form([
        ['grant_type', 'client_credentials'],
        ['grant_type', 'client_credentials'],
      ]);
      expectOAuthError(await raw(body), 400, 'invalid_request');
    });

    it('RFC 6749 §3.2: refuses scope sent twice (invalid_request)', async () => {
      const body = form([
        ['grant_type', 'client_credentials'],
        ['scope', 'items:read'],
        ['scope', 'items:write'],
      ]);
      expectOAuthError(await raw(body), 400, 'invalid_request');
    });

    it('RFC 6749 §3.2: refuses client_id and client_secret sent twice (invalid_request)', async () => {
      const body = form([
        ['grant_type', 'client_credentials'],
        ['client_id', 'demo-service'],
        ['client_id', 'demo-service'],
        ['client_secret', serviceSecret],
      ]);
      const answer = await rawRequest(url, '/token', { headers: { 'content-type': FORM }, body });
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });

    it('RFC 6749 §3.2: refuses username sent twice on the password grant (invalid_request)', async () => {
      const body = form([
        ['grant_type', 'password'],
        ['username', 'alice'],
        ['username', 'bob'],
        ['password', fixture.passwordOf('alice')],
      ]);
      const web = basic('demo-web', fixture.secretOf('demo-web'));
      const answer = await raw(body, { authorization: web });
      expectOAuthError(answer, 400, 'invalid_request', [fixture.passwordOf('alice')]);
    });

    it('RFC 6749 §5.2: answers an unknown or browser grant_type with unsupported_grant_type', async () => {
      for (const grantType of [
        'authorization_code',
        'implicit',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]) {
        expectOAuthError(await raw(form([['grant_type', grantType]])), 400, 'unsupported_grant_type');
      }
    });

    it('RFC 6749 §3.3: refuses a scope with a NUL or a quote in it (invalid_scope)', async () => {
      for (const scope of ['items:read\u0000', 'items:"read']) {
        const answer = await raw(
          form([
            ['grant_type', 'client_credentials'],
            ['scope', scope],
          ]),
        );
        expectOAuthError(answer, 400, 'invalid_scope');
      }
    });
  });

  describe('content types', () => {
    it('RFC 6749 §3.2: refuses a JSON body (invalid_request)', async () => {
      const answer = await raw(JSON.stringify({ grant_type: 'client_credentials' }), {
        'content-type': 'application/json',
      });
      expectOAuthError(answer, 400, 'invalid_request');
    });

    it('RFC 6749 §3.2: refuses text/plain and multipart/form-data bodies (invalid_request)', async () => {
      for (const type of ['text/plain', 'multipart/form-data; boundary=x']) {
        const answer = await raw('grant_type=client_credentials', { 'content-type': type });
        expectOAuthError(answer, 400, 'invalid_request');
      }
    });

    it('RFC 6749 §3.2: a body without a content type is not read as a form (invalid_request)', async () => {
      const answer = await rawRequest(url, '/token', {
        headers: { authorization: service },
        body: 'grant_type=client_credentials',
      });
      expectOAuthError(answer, 400, 'invalid_request');
    });

    it('RFC 6749 Appendix B: refuses a charset other than UTF-8 (invalid_request)', async () => {
      const answer = await raw('grant_type=client_credentials', {
        'content-type': `${FORM}; charset=iso-8859-1`,
      });
      expectOAuthError(answer, 400, 'invalid_request');
    });
  });

  describe('credentials and parameters in the URL', () => {
    it('RFC 6749 §2.3.1: refuses client credentials in the query string (invalid_request), never echoing them', async () => {
      const path = `/token?client_id=demo-service&client_secret=${encodeURIComponent(serviceSecret)}`;
      const answer = await rawRequest(url, path, {
        headers: { 'content-type': FORM },
        body: 'grant_type=client_credentials',
      });
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });

    it('RFC 6749 §3.2 / RFC 9700 §4.3: refuses any parameter in the query of a POST, even beside a valid body', async () => {
      const answer = await raw('grant_type=client_credentials', {}, '/token?scope=items%3Aread');
      expectOAuthError(answer, 400, 'invalid_request');
    });

    it('RFC 7009 §2.1 / RFC 7662 §2.1: refuses a token in the query of revocation and introspection', async () => {
      for (const path of ['/token/revocation?token=abc', '/token/introspection?token=abc']) {
        const answer = await raw('token=def', {}, path);
        expectOAuthError(answer, 400, 'invalid_request');
      }
    });

    it('RFC 6749 §3.2: a GET to the token endpoint issues nothing, even with everything in the query', async () => {
      const path = `/token?grant_type=client_credentials&client_id=demo-service&client_secret=${encodeURIComponent(serviceSecret)}`;
      const answer = await rawRequest(url, path, { method: 'GET' });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.json?.access_token).toBeUndefined();
      expectNoInternals(answer.text, [serviceSecret]);
    });
  });

  describe('oversized bodies', () => {
    const huge = `grant_type=client_credentials&padding=${'a'.repeat(BODY_LIMIT)}`;

    it('RFC 9110 §15.5.14: refuses a body over the cap by its Content-Length with 413 and an RFC 6749 body', async () => {
      expectOAuthError(await raw(huge), 413, 'invalid_request');
    });

    it('RFC 9110 §15.5.14: refuses a chunked body that grows over the cap with 413', async () => {
      const answer = await rawRequest(url, '/token', {
        headers: { 'content-type': FORM, authorization: service },
        body: huge,
        chunked: true,
      });
      expectOAuthError(answer, 413, 'invalid_request');
    });

    it('RFC 9110 §15.5.14: refuses a 1 MiB body (not a 5xx, not a hang)', async () => {
      const answer = await raw(`grant_type=client_credentials&padding=${'b'.repeat(1024 * 1024)}`);
      expectOAuthError(answer, 413, 'invalid_request');
    });

    it('RFC 9110 §15.5.14: applies the cap to revocation (RFC 7009) and introspection (RFC 7662) too', async () => {
      for (const path of ['/token/revocation', '/token/introspection']) {
        expectOAuthError(await raw(`token=${'c'.repeat(BODY_LIMIT)}`, {}, path), 413, 'invalid_request');
      }
    });
  });

  describe('malformed encodings', () => {
    const cases: [string, string | Buffer][] = [
      ['a "%" without two hex digits', 'grant_type=client_credentials&scope=items%ZZread'],
      ['a truncated escape at the end', 'grant_type=client_credentials&scope=items%3'],
      ['percent-decoded bytes that are not UTF-8', 'grant_type=client_credentials&scope=%C3%28'],
      ['an overlong UTF-8 sequence', 'grant_type=client_credentials&scope=%C0%AE'],
      ['a raw byte that is not UTF-8', Buffer.from('grant_type=client_credentials&scope=\xff', 'latin1')],
    ];
    for (const [label, body] of cases) {
      it(`RFC 6749 Appendix B / RFC 3986 §2.1: refuses ${label} (invalid_request)`, async () => {
        expectOAuthError(await raw(body), 400, 'invalid_request');
      });
    }

    it('RFC 6749 Appendix B: refuses a malformed escape in client_secret without echoing it', async () => {
      const secret = `${serviceSecret}%G1`;
      const answer = await rawRequest(url, '/token', {
        headers: { 'content-type': FORM },
        body: `grant_type=client_credentials&client_id=demo-service&client_secret=${secret}`,
      });
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });
  });

  it('OWASP ASVS 7.1.1: no client secret sent in a body, a header or a URL above reached the server log', () => {
    expectLogFreeOf(fixture, [
      serviceSecret,
      encodeURIComponent(serviceSecret),
      service.slice('Basic '.length),
    ]);
  });
});
