import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource } from '../support/test-environment.js';

const web = { id: 'web-app', secret: 'web-app-secret-0123456789abcdef0123456789abc' };
const thirdParty = { id: 'partner-app', secret: 'partner-secret-0123456789abcdef0123456789ab' };

describe('password grant', () => {
  let server: TestAuthServer;
  let aliceId: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await addStandardRoles(server.prisma);
    aliceId = await server.addUser({
      username: 'Alice',
      password: 'correct horse battery',
      roles: ['editor'],
      permissions: ['items:delete'],
    });
    await server.addUser({
      username: 'dora',
      password: 'dora password 123',
      roles: ['viewer'],
      disabled: true,
    });
    await server.addClient({
      id: web.id,
      secret: web.secret,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read', 'items:write', 'items:delete'],
      firstParty: true,
    });
    await server.addClient({
      id: thirdParty.id,
      secret: thirdParty.secret,
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: false,
    });
  });
  afterAll(() => server.close());

  const login = (username: string, password: string, extra: Record<string, string> = {}) =>
    server.token(
      { grant_type: 'password', username, password, scope: 'items:read items:write', ...extra },
      web,
    );

  it('issues a JWT with the user roles, the union of direct and role permissions, and the grant id', async () => {
    const response = await login('alice', 'correct horse battery');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'items:read items:write',
    });
    expect(typeof response.body.refresh_token).toBe('string');
    const { payload } = await server.verifyAccessToken(response.body.access_token as string);
    expect(payload).toMatchObject({
      iss: server.config.issuer,
      sub: aliceId,
      aud: testResource,
      client_id: web.id,
      scope: 'items:read items:write',
      roles: ['editor'],
      permissions: ['items:delete', 'items:read', 'items:write'],
    });
    expect(typeof payload.grant_id).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('treats usernames case-insensitively', async () => {
    expect((await login('ALICE', 'correct horse battery')).status).toBe(200);
  });

  it('gives the same answer for a wrong password, an unknown user and a disabled user', async () => {
    const answers = await Promise.all([
      login('alice', 'wrong password'),
      login('nobody', 'correct horse battery'),
      login('dora', 'dora password 123'),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    }
  });

  it('records failed logins in the audit log without the password', async () => {
    await login('alice', 'another wrong password');
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: { type: 'login.failed', subject: 'alice' },
    });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('another wrong password');
  });

  it('refuses a password longer than 1 KiB without hashing it', async () => {
    const response = await login('alice', 'x'.repeat(1025));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });

  it('is reserved for first-party clients', async () => {
    const response = await server.token(
      { grant_type: 'password', username: 'alice', password: 'correct horse battery' },
      thirdParty,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('answers invalid_request for a missing password and invalid_scope for a scope the client may not ask for', async () => {
    const missing = await server.token({ grant_type: 'password', username: 'alice' }, web);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });

    const scope = await login('alice', 'correct horse battery', { scope: 'admin:everything' });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe('invalid_scope');
  });

  it('answers invalid_target for an unknown resource and for two resources', async () => {
    const unknown = await login('alice', 'correct horse battery', { resource: 'https://elsewhere.example' });
    expect(unknown.body.error).toBe('invalid_target');

    const body = new URLSearchParams({
      grant_type: 'password',
      username: 'alice',
      password: 'correct horse battery',
    });
    body.append('resource', testResource);
    body.append('resource', testResource);
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${web.id}:${web.secret}`).toString('base64')}`,
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid_target|invalid_request/);
  });
});
