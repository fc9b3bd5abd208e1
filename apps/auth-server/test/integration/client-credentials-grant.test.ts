import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import {
  addStandardRoles,
  basicAuthorization,
  startTestAuthServer,
  type TestAuthServer,
} from '../support/test-auth-server.js';
import { otherResource, testResource } from '../support/test-environment.js';

const service = { id: 'svc-reports', secret: 'svc-reports-secret-0123456789abcdef0123456789' };

describe('client_credentials grant', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await addStandardRoles(server.prisma);
    await server.addClient({
      id: service.id,
      secret: service.secret,
      grantTypes: ['client_credentials'],
      scopes: ['items:read', 'items:write'],
      roles: ['viewer'],
      permissions: ['reports:export'],
    });
    await server.addClient({
      id: 'svc-post',
      secret: 'svc-post-secret-0123456789abcdef0123456789ab',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    await server.addClient({
      id: 'web-only',
      secret: 'web-only-secret-0123456789abcdef0123456789ab',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read'],
      firstParty: true,
    });
    await server.addClient({
      id: 'svc-disabled',
      secret: 'svc-disabled-secret-0123456789abcdef01234567',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      disabled: true,
    });
  });
  afterAll(() => server.close());

  it('issues an RFC 9068 ES256 JWT carrying the client roles and permissions', async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:read' }, service);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'items:read' });
    expect(response.body.refresh_token).toBeUndefined();
    const token = response.body.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(typeof header.kid).toBe('string');

    const { payload } = await server.verifyAccessToken(token);
    expect(payload).toMatchObject({
      iss: server.config.issuer,
      sub: service.id,
      aud: testResource,
      client_id: service.id,
      scope: 'items:read',
      roles: ['viewer'],
      permissions: ['items:read', 'reports:export'],
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(typeof payload.jti).toBe('string');
    expect(payload.grant_id).toBeUndefined();
  });

  it('audiences the token to a requested resource indicator (RFC 8707)', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'items:read', resource: otherResource },
      service,
    );
    expect(response.status).toBe(200);
    const { payload } = await server.verifyAccessToken(response.body.access_token as string, otherResource);
    expect(payload.aud).toBe(otherResource);
  });

  it('accepts client_secret_post for a client registered with it', async () => {
    const response = await server.token({
      grant_type: 'client_credentials',
      client_id: 'svc-post',
      client_secret: 'svc-post-secret-0123456789abcdef0123456789ab',
      scope: 'items:read',
    });
    expect(response.status).toBe(200);
  });

  it('answers invalid_client with a Basic challenge for a wrong secret, an unknown client and a disabled client alike', async () => {
    const wrongSecret = await server.token(
      { grant_type: 'client_credentials' },
      { id: service.id, secret: 'nope' },
    );
    const unknown = await server.token(
      { grant_type: 'client_credentials' },
      { id: 'nobody', secret: 'nope' },
    );
    const disabled = await server.token(
      { grant_type: 'client_credentials' },
      { id: 'svc-disabled', secret: 'svc-disabled-secret-0123456789abcdef01234567' },
    );
    for (const response of [wrongSecret, unknown, disabled]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
  });

  it('accepts client_secret_basic and client_secret_post alike for a secret client (oidc-provider treats them as one family)', async () => {
    const viaPost = await server.token({
      grant_type: 'client_credentials',
      client_id: service.id,
      client_secret: service.secret,
    });
    expect(viaPost.status).toBe(200);
  });

  it('refuses credentials sent both in the Authorization header and in the body', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(service.id, service.secret),
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: service.id,
        client_secret: service.secret,
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers unauthorized_client when the client may not use the grant (RFC 6749 §5.2)', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials' },
      { id: 'web-only', secret: 'web-only-secret-0123456789abcdef0123456789ab' },
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('answers invalid_scope for a scope outside the client allow-list', async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:delete' }, service);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_scope');
  });

  it('answers invalid_target for an unknown resource indicator', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', resource: 'https://elsewhere.example' },
      service,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_target');
  });

  it('answers unsupported_grant_type and invalid_request without internals', async () => {
    const unsupported = await server.token({ grant_type: 'authorization_code', code: 'x' }, service);
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error).toBe('unsupported_grant_type');

    const missing = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(service.id, service.secret),
      },
      body: 'scope=items:read',
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_request');
    expect(JSON.stringify(body)).not.toMatch(/at |\.js|prisma|SELECT/i);
  });
});
