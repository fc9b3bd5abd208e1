import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { adminRequest } from '../support/admin-tokens.js';
import {
  accessTokenRevoked,
  type ClientCredentials,
  postForm,
  signedWithOurKey,
} from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const web: ClientCredentials = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };
const mobile: ClientCredentials = { id: 'mobile', secret: 'mobile-secret-0123456789abcdef0123456789ab' };
const password = 'alice password 1234';

/**
 * RFC 7009 at oidc-provider's own revocation endpoint, for our JWT access tokens (which it does not store)
 * and its refresh tokens, and refresh-token reuse. Alice's tokens are admin-API tokens, so the admin API's
 * guard — which reads the revocation records in PostgreSQL on every request — shows the effect end to end.
 */
describe('RFC 7009 token revocation', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await server.addUser({ username: 'alice', password, permissions: ['admin:users:read'] });
    for (const client of [web, mobile]) {
      await server.addClient({
        ...client,
        grantTypes: ['password', 'refresh_token'],
        scopes: ['admin', 'items:read'],
        firstParty: true,
      });
    }
  }, 30_000);
  afterAll(async () => server?.close());

  const login = async (client = web): Promise<Tokens> => {
    const response = await server.token(
      {
        grant_type: 'password',
        username: 'alice',
        password,
        scope: 'admin',
        resource: server.config.admin.resource,
      },
      client,
    );
    expect(response.status).toBe(200);
    return response.body as unknown as Tokens;
  };
  const refresh = (refreshToken: string, client = web) =>
    server.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, client);
  const revoke = (params: Record<string, string>, client?: ClientCredentials, path = '/token/revocation') =>
    postForm(server, path, params, client);
  const usersStatus = async (token: string) => (await adminRequest(server, '/users', token)).status;
  const revocationCount = () => server.prisma.revocation.count();
  const grantIdOf = (accessToken: string) => decodeJwt(accessToken).grant_id as string;
  const expectEmpty200 = (response: { status: number; text: string }) => {
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  };

  it('revokes its own access token: the admin guard refuses it at once, and only the token is recorded', async () => {
    const { access_token, refresh_token } = await login();
    expect(await usersStatus(access_token)).toBe(200);
    const { jti } = decodeJwt(access_token);

    expectEmpty200(await revoke({ token: access_token }, web));

    expect(await usersStatus(access_token)).toBe(401);
    expect(await accessTokenRevoked(server, access_token)).toBe(true);
    const record = await server.prisma.revocation.findFirst({ where: { value: jti as string } });
    expect(record).toMatchObject({
      kind: 'token',
      actor: web.id,
      reason: expect.stringContaining('RFC 7009'),
    });
    // One access token, not the grant: the refresh token still works.
    expect((await refresh(refresh_token)).status).toBe(200);

    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: { type: 'token.revoked', subject: jti },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: web.id,
      clientId: web.id,
      details: { kind: 'jti', value: jti },
    });
    const everything = JSON.stringify([
      await server.prisma.auditEvent.findMany(),
      await server.prisma.revocation.findMany(),
    ]);
    expect(everything).not.toContain(access_token);
  });

  it("answers 200 to another client's access token and leaves it valid", async () => {
    const { access_token } = await login(web);
    const before = await revocationCount();

    expectEmpty200(await revoke({ token: access_token }, mobile));

    expect(await usersStatus(access_token)).toBe(200);
    expect(await accessTokenRevoked(server, access_token)).toBe(false);
    expect(await revocationCount()).toBe(before);
  });

  it('answers 200 and changes nothing for unknown, malformed, forged, mistyped and expired tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: server.config.issuer, sub: 'alice', client_id: web.id, aud: 'x', jti: 'j' };
    const foreignKey = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...claims, jti: 'forged', iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'elsewhere' })
      .sign(foreignKey.privateKey);
    const expired = await signedWithOurKey(server, {
      ...claims,
      jti: 'expired',
      iat: now - 3600,
      exp: now - 3000,
    });
    const notAnAccessToken = await signedWithOurKey(
      server,
      { ...claims, jti: 'id-token-like', iat: now, exp: now + 300 },
      'JWT',
    );
    const before = await revocationCount();

    for (const token of [
      'not-a-token',
      'a.b.c',
      'eyJhbGciOiJub25lIn0.e30.',
      forged,
      expired,
      notAnAccessToken,
    ]) {
      expectEmpty200(await revoke({ token }, web));
    }
    expect(await revocationCount()).toBe(before);
  });

  it("revokes a refresh token's whole grant: every access token of the grant is refused, and it no longer refreshes", async () => {
    const first = await login();
    const rotated = await refresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const second = rotated.body as unknown as Tokens;
    const otherGrant = await login();
    const grantId = grantIdOf(first.access_token);

    expectEmpty200(await revoke({ token: second.refresh_token }, web));

    expect(await usersStatus(first.access_token)).toBe(401);
    expect(await usersStatus(second.access_token)).toBe(401);
    expect(await accessTokenRevoked(server, second.access_token)).toBe(true);
    const refused = await refresh(second.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(
      await server.prisma.revocation.findFirst({ where: { kind: 'grant', value: grantId } }),
    ).toMatchObject({
      actor: web.id,
    });
    // Alice's other session is another grant.
    expect(await usersStatus(otherGrant.access_token)).toBe(200);
    expect((await refresh(otherGrant.refresh_token)).status).toBe(200);

    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: { type: 'token.revoked', subject: grantId },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: web.id, details: { kind: 'grant', value: grantId } });
    expect(JSON.stringify(events)).not.toContain(second.refresh_token);
  });

  it("answers 200 to another client's refresh token and leaves it working", async () => {
    const { access_token, refresh_token } = await login(web);
    const before = await revocationCount();

    expectEmpty200(await revoke({ token: refresh_token }, mobile));

    expect(await revocationCount()).toBe(before);
    expect(await usersStatus(access_token)).toBe(200);
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('takes token_type_hint as a hint only', async () => {
    const accessFirst = await login();
    expectEmpty200(await revoke({ token: accessFirst.access_token, token_type_hint: 'refresh_token' }, web));
    expect(await usersStatus(accessFirst.access_token)).toBe(401);

    const refreshFirst = await login();
    expectEmpty200(await revoke({ token: refreshFirst.refresh_token, token_type_hint: 'access_token' }, web));
    expect(await usersStatus(refreshFirst.access_token)).toBe(401);
  });

  it.each(['/TOKEN/REVOCATION', '/token/revocation/', '/Token/Revocation'])(
    'behaves the same at %s, which oidc-provider also routes to revocation',
    async (path) => {
      const own = await login(web);
      const foreign = await login(mobile);

      expectEmpty200(await revoke({ token: own.access_token }, web, path));
      expectEmpty200(await revoke({ token: foreign.access_token }, web, path));
      expectEmpty200(await revoke({ token: foreign.refresh_token }, web, path));

      expect(await usersStatus(own.access_token)).toBe(401);
      expect(await usersStatus(foreign.access_token)).toBe(200);
      expect((await refresh(foreign.refresh_token, mobile)).status).toBe(200);
    },
  );

  it('refuses callers that do not authenticate, with RFC 6749 errors, and revokes nothing', async () => {
    const { access_token } = await login();

    // RFC 6749 §5.2: no client authentication at all is invalid_client (401), like a wrong secret.
    const anonymous = await revoke({ token: access_token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: 'invalid_client' });

    const claimed = await revoke({ token: access_token, client_id: web.id });
    expect(claimed.status).toBe(401);
    expect(claimed.json).toMatchObject({ error: 'invalid_client' });

    const wrongSecret = await revoke({ token: access_token }, { id: web.id, secret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toMatchObject({ error: 'invalid_client' });
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);

    const noToken = await revoke({}, web);
    expect(noToken.status).toBe(400);
    expect(noToken.json).toMatchObject({ error: 'invalid_request' });

    expect(await usersStatus(access_token)).toBe(200);
  });

  it('answers 500 server_error and keeps the token for a retry when the revocation cannot be recorded', async () => {
    const { access_token, refresh_token } = await login();
    await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations" RENAME TO "revocations_away"');
    try {
      for (const token of [access_token, refresh_token]) {
        const failed = await revoke({ token }, web);
        expect(failed.status).toBe(500);
        expect(failed.json).toEqual({ error: 'server_error', error_description: expect.any(String) });
        expect(failed.text).not.toMatch(/revocations|prisma/i);
      }
    } finally {
      await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations_away" RENAME TO "revocations"');
    }
    expect(await usersStatus(access_token)).toBe(200);

    // Nothing was destroyed: the retry revokes the grant, access tokens included.
    expectEmpty200(await revoke({ token: refresh_token }, web));
    expect(await usersStatus(access_token)).toBe(401);
  });
});

describe('refresh-token reuse', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await server.addUser({ username: 'alice', password, permissions: ['admin:users:read'] });
    await server.addClient({
      ...web,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['admin'],
      firstParty: true,
    });
  }, 30_000);
  afterAll(async () => server?.close());

  it('revokes the grant: every access token issued under it is refused, not only its refresh tokens', async () => {
    const login = await server.token(
      { grant_type: 'password', username: 'alice', password, scope: 'admin' },
      web,
    );
    expect(login.status).toBe(200);
    const first = login.body as unknown as Tokens;
    const rotated = await server.token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      web,
    );
    expect(rotated.status).toBe(200);
    const second = rotated.body as unknown as Tokens;
    expect((await adminRequest(server, '/users', second.access_token)).status).toBe(200);

    const replay = await server.token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      web,
    );
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');

    for (const token of [first.access_token, second.access_token]) {
      expect((await adminRequest(server, '/users', token)).status).toBe(401);
      expect(await accessTokenRevoked(server, token)).toBe(true);
    }
    const grantId = decodeJwt(first.access_token).grant_id as string;
    expect(
      await server.prisma.revocation.findFirst({ where: { kind: 'grant', value: grantId } }),
    ).toMatchObject({
      reason: 'refresh token reuse',
      actor: web.id,
    });
    const afterReuse = await server.token(
      { grant_type: 'refresh_token', refresh_token: second.refresh_token },
      web,
    );
    expect(afterReuse.body.error).toBe('invalid_grant');
    await server.container.flushAudit();
    expect(
      await server.prisma.auditEvent.count({ where: { type: 'refresh_token.reuse_detected' } }),
    ).toBeGreaterThan(0);
  });

  it('still refuses the replay with invalid_grant when the revocation cannot be recorded', async () => {
    const login = await server.token(
      { grant_type: 'password', username: 'alice', password, scope: 'admin' },
      web,
    );
    const first = login.body as unknown as Tokens;
    const rotated = await server.token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      web,
    );
    const second = rotated.body as unknown as Tokens;

    await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations" RENAME TO "revocations_away"');
    let replay: Awaited<ReturnType<TestAuthServer['token']>>;
    try {
      replay = await server.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, web);
    } finally {
      await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations_away" RENAME TO "revocations"');
    }
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // oidc-provider still deleted the grant: nothing under it refreshes again.
    const afterReuse = await server.token(
      { grant_type: 'refresh_token', refresh_token: second.refresh_token },
      web,
    );
    expect(afterReuse.body.error).toBe('invalid_grant');
  });
});
