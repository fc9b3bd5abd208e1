import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertUser } from '@portcullis/db';
import { addStandardRoles, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'web-app', secret: 'web-app-secret-0123456789abcdef0123456789abc' };
const otherWeb = { id: 'other-web', secret: 'other-web-secret-0123456789abcdef0123456789' };

describe('refresh_token grant', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await addStandardRoles(server.prisma);
    await server.addUser({ username: 'erin', password: 'erin password 1234', roles: ['viewer'] });
    for (const client of [web, otherWeb]) {
      await server.addClient({
        id: client.id,
        secret: client.secret,
        grantTypes: ['password', 'refresh_token'],
        scopes: ['items:read', 'items:write'],
        firstParty: true,
      });
    }
  });
  afterAll(() => server.close());

  const login = async () => {
    const response = await server.token(
      {
        grant_type: 'password',
        username: 'erin',
        password: 'erin password 1234',
        scope: 'items:read items:write',
      },
      web,
    );
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  };
  const refresh = (refreshToken: string, client = web, extra: Record<string, string> = {}) =>
    server.token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, client);

  it('rotates the refresh token and issues a fresh access token under the same grant', async () => {
    const first = await login();
    const response = await refresh(first.refresh_token);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rotated = response.body.refresh_token as string;
    expect(typeof rotated).toBe('string');
    expect(rotated).not.toBe(first.refresh_token);

    const before = (await server.verifyAccessToken(first.access_token)).payload;
    const after = (await server.verifyAccessToken(response.body.access_token as string)).payload;
    expect(after).toMatchObject({
      sub: before.sub,
      grant_id: before.grant_id,
      scope: 'items:read items:write',
      roles: ['viewer'],
    });
    expect(after.jti).not.toBe(before.jti);
  });

  it('narrows scope on request and refuses widening it', async () => {
    const { refresh_token } = await login();
    const narrowed = await refresh(refresh_token, web, { scope: 'items:read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('items:read');

    const widened = await refresh(narrowed.body.refresh_token as string, web, {
      scope: 'items:read items:delete',
    });
    expect(widened.status).toBe(400);
    expect(widened.body.error).toBe('invalid_scope');
  });

  it('revokes the whole grant when a spent refresh token is reused', async () => {
    const { refresh_token: spent } = await login();
    const rotated = (await refresh(spent)).body.refresh_token as string;

    const reuse = await refresh(spent);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    // The legitimate holder's newer token died with the grant.
    const afterReuse = await refresh(rotated);
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body.error).toBe('invalid_grant');

    await server.container.flushAudit();
    const audit = await server.prisma.auditEvent.findMany({
      where: { type: 'refresh_token.reuse_detected' },
    });
    expect(audit.length).toBeGreaterThan(0);
  });

  it("refuses another client's refresh token", async () => {
    const { refresh_token } = await login();
    const response = await refresh(refresh_token, otherWeb);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
    // The rightful client can still use it: a failed theft attempt spends nothing.
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('refuses to refresh for a user disabled after login', async () => {
    const { refresh_token } = await login();
    await upsertUser(server.prisma, {
      username: 'erin',
      passwordHash: (await server.prisma.user.findUniqueOrThrow({ where: { username: 'erin' } }))
        .passwordHash,
      roles: ['viewer'],
      disabled: true,
    });
    try {
      const response = await refresh(refresh_token);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_grant');
    } finally {
      await server.prisma.user.update({ where: { username: 'erin' }, data: { disabled: false } });
    }
  });

  it('refuses a garbage refresh token with invalid_grant', async () => {
    const response = await refresh('not-a-real-token');
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });

  it('caps the rotated refresh token at the absolute lifetime counted from the first issue', async () => {
    const { refresh_token } = await login();
    const rotated = (await refresh(refresh_token)).body.refresh_token as string;
    const stored = await server.prisma.oidcArtifact.findMany({ where: { model: 'RefreshToken' } });
    const latest = stored
      .map((row) => row.payload as { iat: number; exp: number; iiat: number })
      .sort((a, b) => b.iat - a.iat)[0]!;
    expect(latest.exp - latest.iat).toBeLessThanOrEqual(server.config.ttl.refreshTokenIdle);
    expect(latest.exp - latest.iiat).toBeLessThanOrEqual(server.config.ttl.refreshTokenAbsolute);
    expect(typeof rotated).toBe('string');
  });
});

describe('refresh token lifetimes', () => {
  let server: TestAuthServer;
  beforeAll(async () => {
    // Absolute lifetime shorter than idle would be refused by config; make them close instead.
    server = await startTestAuthServer({
      REFRESH_TOKEN_IDLE_TTL_SECONDS: '100',
      REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: '100',
    });
    await server.addUser({ username: 'finn', password: 'finn password 1234' });
    await server.addClient({
      id: web.id,
      secret: web.secret,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read'],
      firstParty: true,
    });
  });
  afterAll(() => server.close());

  it('issues refresh tokens that expire within the configured lifetime', async () => {
    const response = await server.token(
      { grant_type: 'password', username: 'finn', password: 'finn password 1234' },
      web,
    );
    expect(response.status).toBe(200);
    const [row] = await server.prisma.oidcArtifact.findMany({ where: { model: 'RefreshToken' } });
    const payload = row!.payload as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(100);
  });
});
