import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  basic,
  createClient,
  expectLogFreeOf,
  expectNoInternals,
  expectOAuthError,
  postForm,
  type RawAnswer,
  type SecurityServer,
  startSecurityServer,
} from './security-fixture.js';

/**
 * Black-box authorization of RFC 7009 revocation and RFC 7662 introspection: who may call them, what a
 * caller can do to or learn about tokens that are not its own, and what a refused call reveals.
 */
describe('security: revocation and introspection', () => {
  let fixture: SecurityServer;
  let url: string;
  let web: string;
  let otherWeb: string;
  let introspector: string;
  /** Every token issued here, for the log check at the end. */
  const issued: string[] = [];

  beforeAll(async () => {
    fixture = await startSecurityServer();
    url = fixture.server.url;
    web = basic('demo-web', fixture.secretOf('demo-web'));
    introspector = basic('demo-resource-server', fixture.secretOf('demo-resource-server'));
    const otherSecret = await createClient(fixture, {
      id: 'sec-other-web',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read'],
      firstParty: true,
    });
    otherWeb = basic('sec-other-web', otherSecret);
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const login = async () => {
    const answer = await postForm(
      url,
      '/token',
      { grant_type: 'password', username: 'bob', password: fixture.passwordOf('bob'), scope: 'items:read' },
      { authorization: web },
    );
    expect(answer.status).toBe(200);
    const tokens = answer.json as { access_token: string; refresh_token: string };
    issued.push(tokens.access_token, tokens.refresh_token);
    return tokens;
  };
  const revoke = (params: Record<string, string>, authorization?: string) =>
    postForm(url, '/token/revocation', params, { authorization });
  const introspect = (token: string, authorization?: string) =>
    postForm(url, '/token/introspection', { token }, { authorization });
  const isActive = async (token: string) => {
    const answer = await introspect(token, introspector);
    expect(answer.status).toBe(200);
    return answer.json?.active;
  };
  /** RFC 7009 answers carry no token, so RFC 6749 §5.1's no-store does not apply to them. */
  const revocationError = { noStore: false };
  /** RFC 7009 §2.2: 200 and an empty body. */
  const expectRevocationAccepted = (answer: RawAnswer) => {
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  };

  describe('revocation (RFC 7009)', () => {
    it('RFC 7009 §2.1 / RFC 6749 §5.2: refuses a caller without client authentication (401 invalid_client)', async () => {
      const { access_token } = await login();
      expectOAuthError(
        await revoke({ token: access_token }),
        401,
        'invalid_client',
        [access_token],
        revocationError,
      );
      expect(await isActive(access_token)).toBe(true);
    });

    it('RFC 7009 §2.1: refuses a wrong client secret (401 invalid_client) and revokes nothing', async () => {
      const { access_token } = await login();
      const answer = await revoke({ token: access_token }, basic('demo-web', 'not-the-secret-0123456789'));
      expectOAuthError(
        answer,
        401,
        'invalid_client',
        [access_token, 'not-the-secret-0123456789'],
        revocationError,
      );
      expect(await isActive(access_token)).toBe(true);
    });

    it('RFC 7009 §2.1: a client revokes its own access token', async () => {
      const { access_token } = await login();
      expectRevocationAccepted(await revoke({ token: access_token }, web));
      expect(await isActive(access_token)).toBe(false);
    });

    it('RFC 7009 §2.1: revoking a refresh token revokes its grant, access tokens included', async () => {
      const { access_token, refresh_token } = await login();
      expectRevocationAccepted(await revoke({ token: refresh_token, token_type_hint: 'refresh_token' }, web));
      const refreshed = await postForm(
        url,
        '/token',
        { grant_type: 'refresh_token', refresh_token },
        { authorization: web },
      );
      expectOAuthError(refreshed, 400, 'invalid_grant', [refresh_token]);
      expect(await isActive(access_token)).toBe(false);
    });

    it("RFC 7009 §2.1 / §2.2: another client's tokens are left alone, with the same 200 as an unknown token (no oracle)", async () => {
      const { access_token, refresh_token } = await login();
      const foreignAccess = await revoke({ token: access_token }, otherWeb);
      const foreignRefresh = await revoke({ token: refresh_token }, otherWeb);
      const unknown = await revoke({ token: 'x'.repeat(43) }, otherWeb);
      for (const answer of [foreignAccess, foreignRefresh]) {
        expect({ status: answer.status, text: answer.text }).toEqual({
          status: unknown.status,
          text: unknown.text,
        });
      }
      expect(await isActive(access_token)).toBe(true);
      const refreshed = await postForm(
        url,
        '/token',
        { grant_type: 'refresh_token', refresh_token },
        { authorization: web },
      );
      expect(refreshed.status).toBe(200);
    });

    it('RFC 7009 §2.2: an unknown or malformed token gets 200 with no effect', async () => {
      for (const token of ['x'.repeat(43), 'not a token', 'a.b.c']) {
        expectRevocationAccepted(await revoke({ token }, web));
      }
    });

    it('RFC 7009 §2.1: refuses a request without a token (invalid_request)', async () => {
      expectOAuthError(await revoke({}, web), 400, 'invalid_request', [], revocationError);
    });

    it('RFC 7009 §2.1: a wrong or unknown token_type_hint does not stop the search (the token is revoked)', async () => {
      for (const hint of ['made_up_type', 'refresh_token']) {
        const { access_token } = await login();
        expectRevocationAccepted(await revoke({ token: access_token, token_type_hint: hint }, web));
        expect(await isActive(access_token)).toBe(false);
      }
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('RFC 7662 §2.1: an allowed resource-server client sees an active token, with Cache-Control: no-store', async () => {
      const { access_token } = await login();
      const answer = await introspect(access_token, introspector);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ active: true, client_id: 'demo-web' });
      expect(answer.headers['cache-control']).toBe('no-store');
      expectNoInternals(answer.text, [access_token]);
    });

    it('RFC 7662 §2.1 / §4: refuses a caller without client authentication (401 invalid_client), revealing nothing', async () => {
      const { access_token } = await login();
      const answer = await introspect(access_token);
      expectOAuthError(answer, 401, 'invalid_client', [access_token]);
      expect(answer.json?.active).toBeUndefined();
    });

    it('RFC 7662 §4: refuses a client not allowed to introspect, even about its own token (401 invalid_client)', async () => {
      const { access_token } = await login();
      for (const authorization of [web, basic('demo-service', fixture.secretOf('demo-service'))]) {
        const answer = await introspect(access_token, authorization);
        expectOAuthError(answer, 401, 'invalid_client', [access_token]);
        expect(answer.json?.active).toBeUndefined();
      }
    });

    it('RFC 7662 §2.1: refuses a wrong secret of the allowed client (401 invalid_client)', async () => {
      const { access_token } = await login();
      const answer = await introspect(
        access_token,
        basic('demo-resource-server', 'not-the-secret-0123456789'),
      );
      expectOAuthError(answer, 401, 'invalid_client', [access_token, 'not-the-secret-0123456789']);
    });

    it('RFC 7662 §2.2: revoked, unknown and malformed tokens are exactly {"active":false}', async () => {
      const { access_token, refresh_token } = await login();
      expectRevocationAccepted(await revoke({ token: refresh_token }, web));
      for (const token of [access_token, refresh_token, 'x'.repeat(43), 'not a token', 'a.b.c']) {
        const answer = await introspect(token, introspector);
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({ active: false });
      }
    });

    it('RFC 7662 §2.1: refuses a request without a token (invalid_request)', async () => {
      const answer = await postForm(url, '/token/introspection', {}, { authorization: introspector });
      expectOAuthError(answer, 400, 'invalid_request');
    });
  });

  it('OWASP ASVS 7.1.1: no token sent to revocation or introspection reached the server log', () => {
    expect(issued.length).toBeGreaterThan(0);
    expectLogFreeOf(fixture, issued);
  });
});
