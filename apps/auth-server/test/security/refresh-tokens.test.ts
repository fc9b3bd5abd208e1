import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  basic,
  createClient,
  disableUser,
  expectLogFreeOf,
  expectOAuthError,
  postForm,
  type SecurityServer,
  startSecurityServer,
} from './security-fixture.js';

/**
 * Black-box refresh-token handling (RFC 6749 §6, RFC 9700 §4.14 "refresh token protection"): tokens are
 * bound to their client, rotated, single use — a replay kills the whole grant — and never widen scope.
 */
describe('security: refresh tokens', () => {
  let fixture: SecurityServer;
  let url: string;
  let web: string;
  let otherWeb: string;
  /** Every token issued here, for the log check at the end. */
  const issued: string[] = [];

  beforeAll(async () => {
    fixture = await startSecurityServer();
    url = fixture.server.url;
    web = basic('demo-web', fixture.secretOf('demo-web'));
    const otherSecret = await createClient(fixture, {
      id: 'sec-other-web',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read', 'items:write'],
      firstParty: true,
    });
    otherWeb = basic('sec-other-web', otherSecret);
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const login = async (username = 'alice', scope = 'items:read') => {
    const answer = await postForm(
      url,
      '/token',
      { grant_type: 'password', username, password: fixture.passwordOf(username), scope },
      { authorization: web },
    );
    expect(answer.status).toBe(200);
    const tokens = answer.json as { access_token: string; refresh_token: string; scope: string };
    issued.push(tokens.access_token, tokens.refresh_token);
    return tokens;
  };
  const refresh = (refreshToken: string, authorization = web, extra: Record<string, string> = {}) =>
    postForm(
      url,
      '/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
      { authorization },
    );
  const introspect = async (token: string) => {
    const answer = await postForm(
      url,
      '/token/introspection',
      { token },
      { authorization: basic('demo-resource-server', fixture.secretOf('demo-resource-server')) },
    );
    expect(answer.status).toBe(200);
    return answer.json?.active;
  };

  it('RFC 6749 §6 / RFC 9700 §4.14.2: a positive control rotates the refresh token', async () => {
    const first = await login();
    const answer = await refresh(first.refresh_token);
    expect(answer.status).toBe(200);
    expect(answer.json?.refresh_token).toEqual(expect.any(String));
    expect(answer.json?.refresh_token).not.toBe(first.refresh_token);
  });

  it('RFC 9700 §4.14.2: replaying a spent refresh token is invalid_grant and revokes the whole grant', async () => {
    const first = await login();
    const rotated = await refresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const { refresh_token: current, access_token: access } = rotated.json as Record<string, string>;
    expect(await introspect(access!)).toBe(true);

    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant', [first.refresh_token]);
    // The legitimate holder's current token dies with the grant, and so do the grant's access tokens.
    expectOAuthError(await refresh(current!), 400, 'invalid_grant', [current!]);
    expect(await introspect(access!)).toBe(false);
    expect(await introspect(first.access_token)).toBe(false);
  });

  it("RFC 6749 §6 / §10.4: another client cannot use a client's refresh token (invalid_grant)", async () => {
    const { refresh_token } = await login();
    const stolen = await refresh(refresh_token, otherWeb);
    expectOAuthError(stolen, 400, 'invalid_grant', [refresh_token]);
  });

  it('RFC 6749 §5.2: a client not registered for refresh_token cannot use one (unauthorized_client)', async () => {
    const { refresh_token } = await login();
    const service = basic('demo-service', fixture.secretOf('demo-service'));
    expectOAuthError(await refresh(refresh_token, service), 400, 'unauthorized_client', [refresh_token]);
  });

  it('RFC 6749 §6: refuses a scope not originally granted (invalid_scope), and issues nothing', async () => {
    const { refresh_token } = await login('alice', 'items:read');
    const widened = await refresh(refresh_token, web, { scope: 'items:read items:write' });
    expectOAuthError(widened, 400, 'invalid_scope');
    const admin = await refresh(refresh_token, web, { scope: 'admin' });
    expect(admin.status).toBe(400);
    expect(admin.json?.access_token).toBeUndefined();
  });

  it('RFC 6749 §6: narrows the scope when asked (positive control for the widening refusal)', async () => {
    const { refresh_token } = await login('alice', 'items:read items:write');
    const narrowed = await refresh(refresh_token, web, { scope: 'items:read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.json?.scope).toBe('items:read');
  });

  it('RFC 6749 §5.2: an unknown, malformed or missing refresh token is refused without detail', async () => {
    const { access_token } = await login();
    for (const token of ['x'.repeat(43), 'not a token', access_token]) {
      expectOAuthError(await refresh(token), 400, 'invalid_grant', [token]);
    }
    const missing = await postForm(url, '/token', { grant_type: 'refresh_token' }, { authorization: web });
    expectOAuthError(missing, 400, 'invalid_request');
  });

  it('OWASP ASVS 3.3.1: a refresh token stops working when its user is disabled (invalid_grant)', async () => {
    const { refresh_token } = await login('carol');
    await disableUser(fixture, 'carol');
    expectOAuthError(await refresh(refresh_token), 400, 'invalid_grant', [refresh_token]);
  });

  it('OWASP ASVS 7.1.1: no access or refresh token reached the server log', () => {
    expect(issued.length).toBeGreaterThan(0);
    expectLogFreeOf(fixture, issued);
  });
});
