import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

describe('discovery and HTTP surface', () => {
  let server: TestAuthServer;
  beforeAll(async () => {
    server = await startTestAuthServer();
  });
  afterAll(() => server.close());

  it('lists exactly the enabled grants, auth methods and endpoints', async () => {
    const response = await fetch(`${server.url}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.config.issuer,
      // oidc-provider builds endpoint URLs from the request's origin (set TRUST_PROXY behind a proxy).
      token_endpoint: `${server.url}/token`,
      jwks_uri: `${server.url}/jwks`,
      revocation_endpoint: `${server.url}/token/revocation`,
      introspection_endpoint: `${server.url}/token/introspection`,
    });
    expect([...(metadata.grant_types_supported as string[])].sort()).toEqual([
      'client_credentials',
      'password',
      'refresh_token',
    ]);
    expect([...(metadata.token_endpoint_auth_methods_supported as string[])].sort()).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
    expect(metadata.response_types_supported).toEqual([]);
    expect(metadata.scopes_supported).toEqual([
      'offline_access',
      'admin',
      'account',
      'items:read',
      'items:write',
      'items:delete',
    ]);
    for (const member of [
      'authorization_endpoint',
      'pushed_authorization_request_endpoint',
      'dpop_signing_alg_values_supported',
      'response_modes_supported',
      'code_challenge_methods_supported',
    ]) {
      expect(metadata[member]).toBeUndefined();
    }
    expect(metadata.userinfo_endpoint).toBeUndefined();
    expect(metadata.registration_endpoint).toBeUndefined();
  });

  it('serves the same metadata at the RFC 8414 location', async () => {
    const oidc = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    const oauth = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(oauth).toEqual(oidc);
  });

  it('sets security headers and answers health checks', async () => {
    const live = await fetch(`${server.url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get('x-content-type-options')).toBe('nosniff');
    expect(live.headers.get('x-frame-options')).toBe('DENY');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', jwks: 'ok' } });
  });

  it('answers the unused authorization endpoint with a JSON error, not an HTML page', async () => {
    const response = await fetch(`${server.url}/auth?client_id=nobody&response_type=code`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers unknown routes with JSON, not HTML', async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404 });
  });
});
