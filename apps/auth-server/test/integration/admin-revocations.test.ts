import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { decryptPrivateJwk } from '../../src/keys/signing-key-material.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testScopes } from '../support/test-environment.js';

interface RevocationBody {
  id: string;
  kind: string;
  value: string;
  revokedAt: string;
  expiresAt: string;
  reason: string | null;
  actor: string | null;
}
interface RevocationPageBody {
  revocations: RevocationBody[];
  nextCursor: string | null;
}
interface Tokens {
  access_token: string;
  refresh_token: string;
}

const web = { id: 'web', secret: 'web-secret' };
const mobile = { id: 'mobile', secret: 'mobile-secret' };
const passwords: Record<string, string> = { alice: 'alice password 1', bob: 'bob password 12' };

/** `/revocations` on the admin listener, against the real token endpoint and database. */
describe('admin API: revocations', () => {
  let server: TestAuthServer;
  let admin: string;
  let viewer: string;
  let aliceId: string;
  let bobId: string;
  /** Every token string sent for revocation: none of them may be stored anywhere. */
  const presentedTokens: string[] = [];

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    viewer = await adminTokenWith(server, ['admin:revocations:read']);
    aliceId = await server.addUser({ username: 'alice', password: passwords.alice as string });
    bobId = await server.addUser({ username: 'bob', password: passwords.bob as string });
    for (const client of [web, mobile]) {
      await server.addClient({
        ...client,
        grantTypes: ['password', 'refresh_token'],
        scopes: testScopes,
        firstParty: true,
      });
    }
  }, 30_000);
  afterAll(async () => server?.close());

  const login = async (username: string, client = web): Promise<Tokens> => {
    const response = await server.token(
      { grant_type: 'password', username, password: passwords[username] as string },
      client,
    );
    expect(response.status).toBe(200);
    return response.body as unknown as Tokens;
  };
  const refresh = (refreshToken: string, client = web) =>
    server.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, client);
  const revoke = (body: Record<string, unknown>, token = admin) => {
    if (body.kind === 'token') presentedTokens.push(body.value as string);
    return adminRequest(server, '/revocations', token, { method: 'POST', body });
  };
  const revoked = async (body: Record<string, unknown>) => {
    const response = await revoke(body);
    expect(response.status).toBe(201);
    return (await response.json()) as RevocationBody;
  };
  const list = async (query: string) => {
    const response = await adminRequest(server, `/revocations${query}`, viewer);
    expect(response.status).toBe(200);
    return (await response.json()) as RevocationPageBody;
  };
  const grantIdOf = async (accessToken: string) =>
    (await server.verifyAccessToken(accessToken)).payload.grant_id as string;
  /** A JWT signed with the server's own signing key, as only a holder of KEY_ENCRYPTION_KEY could make. */
  const signedWithOurKey = async (claims: JWTPayload, typ = 'at+jwt') => {
    const key = await server.prisma.signingKey.findFirstOrThrow({ where: { status: 'active' } });
    const privateJwk = decryptPrivateJwk(key.privateJwkEncrypted, key.kid, server.config.keyEncryptionKey);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
      .sign(await importJWK(privateJwk, key.alg));
  };
  const artifactsOfGrant = (grantId: string) =>
    server.prisma.oidcArtifact.count({ where: { OR: [{ grantId }, { model: 'Grant', id: grantId }] } });

  it('revokes an access token given as is, recording only its jti, and audits it', async () => {
    const { access_token } = await login('alice');
    const { jti } = (await server.verifyAccessToken(access_token)).payload;

    const revocation = await revoked({ kind: 'token', value: access_token, reason: 'laptop stolen' });

    expect(revocation).toMatchObject({
      kind: 'jti',
      value: jti,
      reason: 'laptop stolen',
      actor: expect.stringMatching(/^admin-/),
    });
    // The longest access-token lifetime (client_credentials, 600 s) plus 60 s of clock skew.
    const lifetime = Date.parse(revocation.expiresAt) - Date.parse(revocation.revokedAt);
    expect(lifetime).toBe((server.config.ttl.clientCredentials + 60) * 1000);
    await server.container.flushAudit();
    const [event] = await server.prisma.auditEvent.findMany({
      where: { type: 'admin.revocation.created', subject: jti as string },
    });
    expect(event).toMatchObject({
      actor: revocation.actor,
      clientId: revocation.actor,
      details: { kind: 'jti', value: jti, reason: 'laptop stolen', artifactsDeleted: 0 },
    });
  });

  it('revokes an expired access token of ours too', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await signedWithOurKey({
      iss: server.config.issuer,
      jti: 'expired-jti',
      iat: hourAgo,
      exp: hourAgo + 300,
    });
    expect(await revoked({ kind: 'token', value: expired })).toMatchObject({
      kind: 'jti',
      value: 'expired-jti',
    });
  });

  it("revokes a refresh token's whole grant: its rotated successor stops working too", async () => {
    const first = await login('alice');
    const rotated = await refresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const grantId = await grantIdOf(first.access_token);

    // The spent refresh token still identifies its grant.
    const revocation = await revoked({ kind: 'token', value: first.refresh_token });

    expect(revocation).toMatchObject({ kind: 'grant', value: grantId });
    const response = await refresh(rotated.body.refresh_token as string);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
    expect(await artifactsOfGrant(grantId)).toBe(0);
  });

  it('revokes a grant by id: its refresh token no longer works, other grants of the user still do', async () => {
    const revokedLogin = await login('alice');
    const otherLogin = await login('alice');
    const grantId = await grantIdOf(revokedLogin.access_token);
    expect(await artifactsOfGrant(grantId)).toBeGreaterThanOrEqual(2);

    await revoked({ kind: 'grant', value: grantId });

    expect((await refresh(revokedLogin.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(otherLogin.refresh_token)).status).toBe(200);
    await server.container.flushAudit();
    const [event] = await server.prisma.auditEvent.findMany({
      where: { type: 'admin.revocation.created', subject: grantId },
    });
    const { artifactsDeleted } = (event?.details ?? {}) as { artifactsDeleted?: number };
    expect(artifactsDeleted).toBeGreaterThanOrEqual(2);
  });

  it("revokes every grant of a user, on every client, and leaves other users' grants alone", async () => {
    const onWeb = await login('bob');
    const onMobile = await login('bob', mobile);
    const alices = await login('alice');

    const revocation = await revoked({ kind: 'user', value: bobId, reason: 'left the company' });

    expect(revocation).toMatchObject({ kind: 'user', value: bobId });
    expect((await refresh(onWeb.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(onMobile.refresh_token, mobile)).body.error).toBe('invalid_grant');
    expect((await refresh(alices.refresh_token)).status).toBe(200);
    expect(
      await server.prisma.oidcArtifact.count({ where: { payload: { path: ['accountId'], equals: bobId } } }),
    ).toBe(0);
    // Revocation is not disabling: tokens issued from now on are not concerned.
    await login('bob');
  });

  it('revokes every grant of a client, whoever the user', async () => {
    const alices = await login('alice', mobile);
    const bobs = await login('bob', mobile);
    const onWeb = await login('alice');

    await revoked({ kind: 'client', value: mobile.id });

    expect((await refresh(alices.refresh_token, mobile)).body.error).toBe('invalid_grant');
    expect((await refresh(bobs.refresh_token, mobile)).body.error).toBe('invalid_grant');
    expect((await refresh(onWeb.refresh_token)).status).toBe(200);
  });

  it('records a jti as given: access tokens are not stored, so none can be looked up', async () => {
    const revocation = await revoked({ kind: 'jti', value: 'a-jti-from-a-log-line' });
    expect(revocation).toMatchObject({ kind: 'jti', value: 'a-jti-from-a-log-line', reason: null });
  });

  it('refuses with 409 to revoke the signing key (rotate first) or a key that has not signed yet', async () => {
    const { access_token } = await login('alice');
    const signingKid = decodeProtectedHeader(access_token).kid as string;
    const inUse = await revoke({ kind: 'kid', value: signingKid });
    expect(inUse.status).toBe(409);
    expect(await inUse.json()).toMatchObject({ detail: expect.stringContaining('rotate first') });

    const rotation = await adminRequest(server, '/keys/rotate', admin, {
      method: 'POST',
      body: { activateInSeconds: 3600 },
    });
    const { kid: pendingKid } = (await rotation.json()) as { kid: string };
    // Not yet signing: a record lasting one token lifetime would lapse before it signs; retire it instead.
    const pending = await revoke({ kind: 'kid', value: pendingKid });
    expect(pending.status).toBe(409);
    expect(await pending.json()).toMatchObject({ detail: expect.stringContaining('retire it instead') });
    // A key that has stopped signing is revoked in admin-token-revocation.test.ts, with its effect.
  });

  it('keeps one record per target; revoking again moves revokedAt and expiresAt later', async () => {
    const first = await revoked({ kind: 'user', value: aliceId, reason: 'first' });
    const second = await revoked({ kind: 'user', value: aliceId });

    expect(second.id).toBe(first.id);
    expect(Date.parse(second.revokedAt)).toBeGreaterThan(Date.parse(first.revokedAt));
    expect(Date.parse(second.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    expect(second.reason).toBeNull();
    const { revocations } = await list('?kind=user&limit=100');
    expect(revocations.filter((revocation) => revocation.value === aliceId)).toHaveLength(1);
  });

  it('never moves revokedAt back when an instance with a slower clock revokes again', async () => {
    const { id } = await revoked({ kind: 'jti', value: 'clock-skew-jti' });
    const future = new Date(Date.now() + 60_000);
    await server.prisma.revocation.update({ where: { id }, data: { revokedAt: future } });
    const again = await revoked({ kind: 'jti', value: 'clock-skew-jti' });
    expect(again.revokedAt).toBe(future.toISOString());
  });

  it('accepts a grant that is gone only if it was revoked before', async () => {
    const { access_token } = await login('alice');
    const grantId = await grantIdOf(access_token);
    await revoked({ kind: 'grant', value: grantId });
    expect(await artifactsOfGrant(grantId)).toBe(0);
    expect((await revoke({ kind: 'grant', value: grantId })).status).toBe(201);
  });

  it.each([
    ['user (not a UUID)', { kind: 'user', value: 'nobody' }, 'user'],
    ['user (unknown UUID)', { kind: 'user', value: '00000000-0000-4000-8000-000000000000' }, 'user'],
    ['client', { kind: 'client', value: 'no-such-client' }, 'client'],
    ['grant', { kind: 'grant', value: 'no-such-grant' }, 'grant'],
    ['signing key', { kind: 'kid', value: 'no-such-kid' }, 'kid'],
  ])('answers 404 for an unknown %s', async (_name, body, kind) => {
    const response = await revoke(body);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, kind });
  });

  it('answers 400 for a token this server did not issue, without echoing it', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const ourKid = decodeProtectedHeader((await login('alice')).access_token).kid as string;
    const forged = await new SignJWT({ jti: 'forged', client_id: web.id })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: ourKid })
      .setIssuer(server.config.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const claims = { iss: server.config.issuer, jti: 'ours-but-not-an-access-token' };
    const notOurs = [
      forged,
      await signedWithOurKey({ ...claims, iss: 'https://elsewhere.example' }),
      await signedWithOurKey(claims, 'JWT'),
      await signedWithOurKey({ iss: server.config.issuer }),
      'not-a-refresh-token-we-stored',
      'a.b.c',
    ];

    for (const value of notOurs) {
      const response = await revoke({ kind: 'token', value });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        detail: 'not a token this server issued',
        errors: [{ path: 'value', message: 'not a token this server issued' }],
      });
      expect(text).not.toContain(value);
    }
  });

  it.each([
    ['an unknown kind', { kind: 'session', value: 'x' }, 'kind'],
    ['a missing value', { kind: 'jti' }, 'value'],
    ['an empty value', { kind: 'jti', value: '' }, 'value'],
    ['a value with spaces', { kind: 'jti', value: 'a b' }, 'value'],
    ['an id over 200 characters', { kind: 'jti', value: 'x'.repeat(201) }, 'value'],
    ['a reason over 500 characters', { kind: 'jti', value: 'x', reason: 'r'.repeat(501) }, 'reason'],
    ['an unknown field', { kind: 'jti', value: 'x', expiresAt: '2099-01-01T00:00:00Z' }, ''],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const response = await revoke(body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((error) => error.path)).toContain(field);
  });

  it('lets a viewer list but not revoke', async () => {
    const response = await revoke({ kind: 'jti', value: 'viewer-attempt' }, viewer);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await list('')).revocations.some((revocation) => revocation.value === 'viewer-attempt')).toBe(
      false,
    );
    const stranger = await adminTokenWith(server, ['admin:users:read']);
    expect((await adminRequest(server, '/revocations', stranger)).status).toBe(403);
  });

  it('pages newest first with a cursor, filtered by kind', async () => {
    const values: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      values.push((await revoked({ kind: 'jti', value: `paged-${index}` })).value);
    }
    const seen: RevocationBody[] = [];
    let cursor: string | null = null;
    do {
      const page: RevocationPageBody = await list(`?kind=jti&limit=2${cursor ? `&after=${cursor}` : ''}`);
      expect(page.revocations.length).toBeLessThanOrEqual(2);
      seen.push(...page.revocations);
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen.every((revocation) => revocation.kind === 'jti')).toBe(true);
    expect(new Set(seen.map((revocation) => revocation.id)).size).toBe(seen.length);
    const times = seen.map((revocation) => Date.parse(revocation.revokedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const paged = seen.filter((revocation) => revocation.value.startsWith('paged-'));
    expect(paged.map((revocation) => revocation.value)).toEqual([...values].reverse());
  });

  it('lists only records in force unless active=false', async () => {
    await server.prisma.revocation.create({
      data: { kind: 'token', value: 'long-expired', expiresAt: new Date(Date.now() - 1000) },
    });
    const active = await list('?kind=jti&limit=100');
    expect(active.revocations.some((revocation) => revocation.value === 'long-expired')).toBe(false);
    const all = await list('?kind=jti&limit=100&active=false');
    expect(all.revocations.find((revocation) => revocation.value === 'long-expired')).toMatchObject({
      kind: 'jti',
    });
  });

  it.each([
    ['a foreign cursor', '?after=bm90LWEtY3Vyc29y', 'after is not a cursor from this API'],
    ['a limit over 100', '?limit=101', undefined],
    ['a limit of 0', '?limit=0', undefined],
    ['kind token (requests only; records are jti)', '?kind=token', undefined],
    ['a non-boolean active', '?active=maybe', undefined],
    ['an unknown parameter', '?q=x', undefined],
  ])('refuses %s in the list query with a 400', async (_name, query, detail) => {
    const response = await adminRequest(server, `/revocations${query}`, viewer);
    expect(response.status).toBe(400);
    if (detail) expect(await response.json()).toMatchObject({ detail });
  });

  it('stores, answers and audits no token it was given', async () => {
    expect(presentedTokens.length).toBeGreaterThanOrEqual(4);
    await server.container.flushAudit();
    const stored = JSON.stringify([
      await server.prisma.revocation.findMany(),
      await server.prisma.auditEvent.findMany(),
    ]);
    for (const token of presentedTokens) expect(stored).not.toContain(token);
    // Not even the signature part of a JWT (the part an attacker cannot recompute).
    const signatures = presentedTokens
      .map((value) => value.split('.')[2] ?? '')
      .filter((signature) => signature.length >= 64);
    expect(signatures.length).toBeGreaterThanOrEqual(3);
    for (const signature of signatures) expect(stored).not.toContain(signature);
  });
});
