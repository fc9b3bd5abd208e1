import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  adminCall,
  basic,
  createClient,
  expectLogFreeOf,
  expectOAuthError,
  FORM,
  form,
  postForm,
  type RawAnswer,
  rawRequest,
  type SecurityServer,
  stableHeaders,
  startSecurityServer,
} from './security-fixture.js';

/**
 * Black-box client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1, §5.2): a failed
 * authentication says nothing about which part failed, one request carries one method, and a grant stays
 * with the clients registered for it.
 */
describe('security: client authentication', () => {
  let fixture: SecurityServer;
  let url: string;
  let serviceSecret: string;
  let disabledSecret: string;
  const clientCredentials = { grant_type: 'client_credentials', scope: 'items:read' };

  beforeAll(async () => {
    fixture = await startSecurityServer();
    url = fixture.server.url;
    serviceSecret = fixture.secretOf('demo-service');
    disabledSecret = await createClient(fixture, {
      id: 'sec-disabled-service',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
    await adminCall(fixture, 'PATCH', '/clients/sec-disabled-service', { disabled: true });
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const withBasic = (id: string, secret: string, params: Record<string, string> = clientCredentials) =>
    postForm(url, '/token', params, { authorization: basic(id, secret) });
  const withPost = (id: string, secret: string) =>
    postForm(url, '/token', { ...clientCredentials, client_id: id, client_secret: secret });
  /** Two answers the client must not be able to tell apart: same status, headers and body bytes. */
  const expectIndistinguishable = (first: RawAnswer, second: RawAnswer) => {
    expect(second.status).toBe(first.status);
    expect(second.text).toBe(first.text);
    expect(stableHeaders(second)).toEqual(stableHeaders(first));
  };

  describe('positive controls', () => {
    it('RFC 6749 §2.3.1: authenticates client_secret_basic', async () => {
      expect((await withBasic('demo-service', serviceSecret)).status).toBe(200);
    });

    it('RFC 6749 §2.3.1: authenticates client_secret_post', async () => {
      expect((await withPost('demo-service', serviceSecret)).status).toBe(200);
    });
  });

  describe('failures that must look alike', () => {
    it('OWASP ASVS 2.2.1 / RFC 6749 §5.2: unknown client and wrong secret answer the same 401 invalid_client (Basic)', async () => {
      const wrongSecret = await withBasic('demo-service', 'not-the-secret-0123456789');
      const unknown = await withBasic('no-such-client', 'not-the-secret-0123456789');
      expectOAuthError(wrongSecret, 401, 'invalid_client', ['not-the-secret-0123456789']);
      expect(wrongSecret.headers['www-authenticate']).toMatch(/^Basic realm="/);
      expectIndistinguishable(wrongSecret, unknown);
    });

    it('OWASP ASVS 2.2.1 / RFC 6749 §5.2: unknown client and wrong secret answer the same 401 invalid_client (post)', async () => {
      const wrongSecret = await withPost('demo-service', 'not-the-secret-0123456789');
      const unknown = await withPost('no-such-client', 'not-the-secret-0123456789');
      expectOAuthError(wrongSecret, 401, 'invalid_client', ['not-the-secret-0123456789']);
      expectIndistinguishable(wrongSecret, unknown);
    });

    it('OWASP ASVS 2.2.1: a disabled client with its right secret answers like an unknown one', async () => {
      const disabled = await withBasic('sec-disabled-service', disabledSecret);
      const unknown = await withBasic('sec-unknown-service', disabledSecret);
      expectOAuthError(disabled, 401, 'invalid_client', [disabledSecret]);
      expectIndistinguishable(disabled, unknown);
    });

    it('OWASP ASVS 2.2.1: a secret of the right length but one character off answers the same 401', async () => {
      const last = serviceSecret.at(-1) === 'A' ? 'B' : 'A';
      const nearMiss = await withBasic('demo-service', `${serviceSecret.slice(0, -1)}${last}`);
      expectIndistinguishable(nearMiss, await withBasic('demo-service', 'short'));
      expectOAuthError(nearMiss, 401, 'invalid_client', [serviceSecret]);
    });

    it('OWASP ASVS 5.3.4 / A03: an injection-shaped or huge client id is just an unknown client', async () => {
      const reference = await withBasic('no-such-client', 'not-the-secret-0123456789');
      for (const id of [
        "demo-service' OR '1'='1",
        'demo-service"; DROP TABLE clients; --',
        'x'.repeat(4000),
      ]) {
        expectIndistinguishable(await withBasic(id, 'not-the-secret-0123456789'), reference);
      }
    });
  });

  describe('one method, one client', () => {
    it('RFC 6749 §2.3: refuses two authentication methods at once (invalid_request)', async () => {
      const answer = await postForm(
        url,
        '/token',
        { ...clientCredentials, client_id: 'demo-service', client_secret: serviceSecret },
        { authorization: basic('demo-service', serviceSecret) },
      );
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });

    it('RFC 6749 §2.3.1: refuses a body client_id that contradicts HTTP Basic (invalid_request)', async () => {
      const answer = await postForm(
        url,
        '/token',
        { ...clientCredentials, client_id: 'demo-web' },
        { authorization: basic('demo-service', serviceSecret) },
      );
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });

    it('RFC 9110 §5.3 / RFC 6749 §2.3: refuses two Authorization header lines (invalid_request)', async () => {
      const answer = await rawRequest(url, '/token', {
        headers: {
          'content-type': FORM,
          authorization: [
            basic('demo-service', serviceSecret),
            basic('demo-web', fixture.secretOf('demo-web')),
          ],
        },
        body: form(Object.entries(clientCredentials)),
      });
      expectOAuthError(answer, 400, 'invalid_request', [serviceSecret]);
    });

    it('RFC 7617 §2 / RFC 6749 §2.3.1: refuses a malformed Basic header (invalid_request)', async () => {
      for (const authorization of [
        'Basic !!!not-base64!!!',
        `Basic ${Buffer.from('no-colon-here').toString('base64')}`,
        `Basic ${Buffer.from('demo-service:%ZZ').toString('base64')}`,
        'Basic',
      ]) {
        const answer = await postForm(url, '/token', clientCredentials, { authorization });
        expect(answer.status).toBe(400);
        expectOAuthError(answer, 400, 'invalid_request');
      }
    });

    it('RFC 6749 §2.3.1: refuses Basic with an empty secret, without naming the client as known', async () => {
      const known = await withBasic('demo-service', '');
      const unknown = await withBasic('no-such-client', '');
      expectOAuthError(known, 400, 'invalid_request');
      expectIndistinguishable(known, unknown);
    });

    it('RFC 6749 §4.4 / §2.1: a client_id alone (acting as a public client) gets no client_credentials token', async () => {
      const answer = await postForm(url, '/token', { ...clientCredentials, client_id: 'demo-service' });
      expectOAuthError(answer, 401, 'invalid_client');
    });

    it('RFC 6749 §4.4 / §2.1: no client authentication at all gets 401 invalid_client', async () => {
      expectOAuthError(await postForm(url, '/token', clientCredentials), 401, 'invalid_client');
    });
  });

  describe('grants stay with the clients registered for them', () => {
    it('RFC 6749 §5.2: a service client may not use the password grant (unauthorized_client)', async () => {
      const answer = await withBasic('demo-service', serviceSecret, {
        grant_type: 'password',
        username: 'alice',
        password: fixture.passwordOf('alice'),
      });
      expectOAuthError(answer, 400, 'unauthorized_client', [fixture.passwordOf('alice')]);
    });

    it('RFC 6749 §5.2: a password client may not use client_credentials (unauthorized_client)', async () => {
      const answer = await withBasic('demo-web', fixture.secretOf('demo-web'));
      expectOAuthError(answer, 400, 'unauthorized_client');
    });

    it('RFC 6749 §3.3 / §5.2: a client may not ask for a scope it is not allowed (invalid_scope)', async () => {
      const answer = await withBasic('demo-service', serviceSecret, {
        grant_type: 'client_credentials',
        scope: 'items:delete',
      });
      expectOAuthError(answer, 400, 'invalid_scope');
    });

    it('RFC 8707 §2 / RFC 6749 §5.2: a service client may not ask for the admin audience (invalid_scope or invalid_target)', async () => {
      const answer = await withBasic('demo-service', serviceSecret, {
        grant_type: 'client_credentials',
        scope: 'admin',
      });
      expect(answer.status).toBe(400);
      expect(['invalid_scope', 'invalid_target']).toContain(answer.json?.error);
    });
  });

  it('OWASP ASVS 7.1.1: no secret, right or wrong, reached the server log', () => {
    expectLogFreeOf(fixture, [
      serviceSecret,
      disabledSecret,
      'not-the-secret-0123456789',
      fixture.passwordOf('alice'),
    ]);
  });
});
