import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RevocationKind, recordRevocation } from '@portcullis/db';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  addIntrospectingClient,
  type ClientCredentials,
  postForm,
  signedWithOurKey,
} from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource } from '../support/test-environment.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const web: ClientCredentials = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };
const service: ClientCredentials = { id: 'service', secret: 'service-secret-0123456789abcdef0123456789' };
/** A resource server's client: allowed to introspect. */
const resourceServer: ClientCredentials = {
  id: 'orders-api',
  secret: 'orders-api-secret-0123456789abcdef01',
};
/** Confidential, but not allowed to introspect. */
const nosy: ClientCredentials = { id: 'nosy', secret: 'nosy-secret-0123456789abcdef0123456789abcd' };

/** RFC 7662 at oidc-provider's own introspection endpoint, for our JWT access tokens and its refresh tokens. */
describe('RFC 7662 token introspection', () => {
  let server: TestAuthServer;
  const userIds: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestAuthServer();
    for (const username of ['alice', 'bob']) {
      userIds[username] = await server.addUser({
        username,
        password: `${username} password 1234`,
        permissions: ['items:read'],
      });
    }
    await server.addClient({
      ...web,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read'],
      firstParty: true,
    });
    await server.addClient({ ...service, grantTypes: ['client_credentials'], scopes: ['items:read'] });
    await addIntrospectingClient(server, resourceServer);
    await addIntrospectingClient(server, nosy, false);
  }, 30_000);
  afterAll(async () => server?.close());

  const login = async (username = 'alice'): Promise<Tokens> => {
    const response = await server.token(
      { grant_type: 'password', username, password: `${username} password 1234`, scope: 'items:read' },
      web,
    );
    expect(response.status).toBe(200);
    return response.body as unknown as Tokens;
  };
  const introspect = (token: string, client?: ClientCredentials, path = '/token/introspection') =>
    postForm(server, path, { token }, client);
  const activeOf = async (token: string) => (await introspect(token, resourceServer)).json?.active;
  /** A record in force, written without deleting anything: only the readers' checks can refuse the token. */
  const recordOnly = (kind: RevocationKind, value: string) => {
    const now = new Date();
    return recordRevocation(server.prisma, {
      kind,
      value,
      revokedAt: now,
      expiresAt: new Date(now.getTime() + 600_000),
    });
  };

  it('answers an allowed client with the RFC 7662 members of a valid access token, then inactive once revoked', async () => {
    const { access_token } = await login();
    const claims = decodeJwt(access_token);

    const answer = await introspect(access_token, resourceServer);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.json).toEqual({
      active: true,
      scope: 'items:read',
      client_id: web.id,
      sub: userIds.alice,
      aud: testResource,
      iss: server.config.issuer,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      token_type: 'Bearer',
      roles: [],
      permissions: ['items:read'],
    });

    const revoked = await postForm(server, '/token/revocation', { token: access_token }, web);
    expect(revoked.status).toBe(200);
    const after = await introspect(access_token, resourceServer);
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ active: false });
  });

  it('answers for client_credentials tokens too, whose subject is the client', async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:read' }, service);
    const answer = await introspect(response.body.access_token as string, resourceServer);
    expect(answer.json).toMatchObject({ active: true, sub: service.id, client_id: service.id });
  });

  it('answers only { active: false } for expired, malformed, forged and unknown tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: server.config.issuer, sub: 'x', client_id: web.id, aud: testResource, jti: 'j' };
    const expired = await signedWithOurKey(server, { ...claims, iat: now - 3600, exp: now - 1 });
    const wrongIssuer = await signedWithOurKey(server, {
      ...claims,
      iss: 'https://elsewhere',
      iat: now,
      exp: now + 60,
    });
    const idTokenLike = await signedWithOurKey(server, { ...claims, iat: now, exp: now + 60 }, 'JWT');
    for (const token of ['not-a-token', 'a.b.c', expired, wrongIssuer, idTokenLike]) {
      const answer = await introspect(token, resourceServer);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ active: false });
    }
  });

  it.each([
    ['user', (token: string) => decodeJwt(token).sub as string],
    ['client', () => web.id],
    ['grant', (token: string) => decodeJwt(token).grant_id as string],
    ['kid', (token: string) => decodeProtectedHeader(token).kid as string],
  ] as const)('answers inactive for an access token whose %s is revoked', async (kind, revokedValue) => {
    const { access_token } = await login('bob');
    expect(await activeOf(access_token)).toBe(true);
    await recordOnly(kind, revokedValue(access_token));
    try {
      expect(await activeOf(access_token)).toBe(false);
    } finally {
      // This file's own database: the record must not reach the other tests.
      await server.prisma.revocation.deleteMany({});
    }
  });

  it('answers for refresh tokens as oidc-provider does, and inactive once their grant or user is revoked', async () => {
    const { access_token, refresh_token } = await login();
    const answer = await introspect(refresh_token, resourceServer);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      active: true,
      client_id: web.id,
      sub: userIds.alice,
      iss: server.config.issuer,
      scope: 'items:read',
    });

    await recordOnly('grant', decodeJwt(access_token).grant_id as string);
    expect(await activeOf(refresh_token)).toBe(false);
    await server.prisma.revocation.deleteMany({});
    expect(await activeOf(refresh_token)).toBe(true);

    await recordOnly('user', userIds.alice!);
    expect(await activeOf(refresh_token)).toBe(false);
    await server.prisma.revocation.deleteMany({});

    // Revoked at RFC 7009 by its client: gone, so inactive.
    const fresh = await login();
    expect((await postForm(server, '/token/revocation', { token: fresh.refresh_token }, web)).status).toBe(
      200,
    );
    expect(await activeOf(fresh.refresh_token)).toBe(false);
  });

  it('refuses clients not allowed to introspect with 401 invalid_client, whatever the token', async () => {
    const { access_token, refresh_token } = await login();
    for (const client of [nosy, web, service]) {
      for (const token of [access_token, refresh_token, 'not-a-token']) {
        const answer = await introspect(token, client);
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
        expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=.*error="invalid_client"/);
      }
    }
  });

  it('refuses callers that do not authenticate', async () => {
    const { access_token } = await login();
    // RFC 6749 §5.2: no client authentication at all is invalid_client (401), like a wrong secret.
    const anonymous = await introspect(access_token);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: 'invalid_client' });
    expect(anonymous.json?.active).toBeUndefined();

    const wrongSecret = await introspect(access_token, { id: resourceServer.id, secret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toMatchObject({ error: 'invalid_client' });

    const unknown = await introspect(access_token, { id: 'nobody', secret: 'whatever-secret' });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toMatchObject({ error: 'invalid_client' });
  });

  it.each(['/TOKEN/INTROSPECTION', '/token/introspection/', '/Token/Introspection'])(
    'behaves the same at %s, which oidc-provider also routes to introspection',
    async (path) => {
      const { access_token, refresh_token } = await login();
      expect((await introspect(access_token, resourceServer, path)).json).toMatchObject({ active: true });
      expect((await introspect(refresh_token, resourceServer, path)).json).toMatchObject({ active: true });
      expect((await introspect(access_token, nosy, path)).status).toBe(401);
      expect((await introspect('not-a-token', nosy, path)).status).toBe(401);
    },
  );

  it("gives a client allowed no scope (a resource server's) tokens with no scope, and refuses it any scope", async () => {
    const plain = await server.token({ grant_type: 'client_credentials' }, resourceServer);
    expect(plain.status).toBe(200);
    expect(decodeJwt(plain.body.access_token as string).scope).toBeUndefined();
    for (const scope of ['items:read', 'admin', 'openid']) {
      const refused = await server.token({ grant_type: 'client_credentials', scope }, resourceServer);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_scope');
    }
    // The placeholder oidc-provider needs for "no scope" grants nothing.
    const inert = await server.token(
      { grant_type: 'client_credentials', scope: 'offline_access' },
      resourceServer,
    );
    expect(inert.status).toBe(200);
    expect(decodeJwt(inert.body.access_token as string).scope).toBeUndefined();
  });

  it('answers 500 server_error, never active, when the revocation records cannot be read', async () => {
    const { access_token } = await login();
    await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations" RENAME TO "revocations_away"');
    try {
      const answer = await introspect(access_token, resourceServer);
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({ error: 'server_error', error_description: expect.any(String) });
    } finally {
      await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations_away" RENAME TO "revocations"');
    }
    expect(await activeOf(access_token)).toBe(true);
  });
});
