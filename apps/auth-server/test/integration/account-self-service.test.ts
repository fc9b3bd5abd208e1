import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { createAccountTokenCodec } from '../../src/account/account-token-codec.js';
import { emailsTo, emailTo, eventually, postAccount, tokenIn } from '../support/account-requests.js';
import { accessTokenRevoked } from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'account-web', secret: 'account-web-secret-0123456789abcdef0123456789' };
const NEW_PASSWORD = 'a fresh and long passphrase';

/** What a caller can compare between two answers: everything but the per-request fields. */
function comparable(response: { status: number; headers: Headers; text: string }) {
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)),
  );
  return { status: response.status, headers, text: response.text };
}

describe('self-service accounts on the public listener', () => {
  let server: TestAuthServer;
  let redis: Redis;
  const layout = uniqueLayout();

  const login = (username: string, password: string, scope = 'items:read') =>
    server.token({ grant_type: 'password', username, password, scope }, web);
  const refresh = (refreshToken: string) =>
    server.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, web);
  const auditReasons = async (type: string, subject?: string) => {
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({
      where: { type, ...(subject ? { subject } : {}) },
    });
    return events.map((event) => (event.details as { reason?: string } | null)?.reason);
  };

  beforeAll(async () => {
    redis = await connectedClient();
    server = await startTestAuthServer({
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      SELF_REGISTRATION_ENABLED: 'true',
      PASSWORD_RESET_ENABLED: 'true',
      RATE_LIMIT_ACCOUNT_PER_IP: '100000',
      RATE_LIMIT_ACCOUNT_PER_EMAIL: '1000',
    });
    await server.addClient({
      ...web,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['items:read', 'account'],
      firstParty: true,
    });
  });

  afterAll(async () => {
    await server?.close();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  describe('registration and email verification', () => {
    it('registers, refuses the login until the address is verified, then accepts it', async () => {
      const registered = await postAccount(server, '/register', {
        username: 'Nadia',
        email: 'Nadia@Example.com',
        password: 'correct horse battery',
      });
      expect(registered.status).toBe(202);
      expect(registered.headers.get('cache-control')).toBe('no-store');
      const user = await server.prisma.user.findUniqueOrThrow({
        where: { username: 'nadia' },
        include: { roles: true, permissions: true },
      });
      expect(user).toMatchObject({
        email: 'nadia@example.com',
        mustVerifyEmail: true,
        emailVerifiedAt: null,
      });
      expect(user.roles).toEqual([]);
      expect(user.permissions).toEqual([]);

      const refused = await login('nadia', 'correct horse battery');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');
      expect(await auditReasons('login.failed', 'nadia')).toContain('unverified_email');

      const message = await emailTo(server, 'nadia@example.com', /confirm your email/i);
      const token = tokenIn(message.text);
      expect(message.text).toContain(`${server.config.issuer}/account/verify-email#token=${token}`);
      const stored = await server.prisma.accountToken.findMany({ where: { userId: user.id } });
      expect(stored.map((row) => row.id)).not.toContain(token);

      const verified = await postAccount(server, '/verify-email', { token });
      expect(verified.status).toBe(204);
      expect(verified.headers.get('cache-control')).toBe('no-store');
      expect((await login('nadia', 'correct horse battery')).status).toBe(200);

      const replay = await postAccount(server, '/verify-email', { token });
      expect(replay.status).toBe(400);
      expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(replay.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });
      await server.container.flushAudit();
      expect(
        await server.prisma.auditEvent.count({ where: { type: 'account.registered', subject: user.id } }),
      ).toBe(1);
    });

    it('answers the same for a new account, a taken username and a taken address', async () => {
      await server.addUser({ username: 'taken', password: 'some long password' });
      await server.prisma.user.update({ where: { username: 'taken' }, data: { email: 'owner@example.com' } });
      const fresh = await postAccount(server, '/register', {
        username: 'brandnew',
        email: 'brandnew@example.com',
        password: 'correct horse battery',
      });
      const takenName = await postAccount(server, '/register', {
        username: 'taken',
        email: 'intruder@example.com',
        password: 'correct horse battery',
      });
      const takenAddress = await postAccount(server, '/register', {
        username: 'someoneelse',
        email: 'owner@example.com',
        password: 'correct horse battery',
      });
      expect(fresh.status).toBe(202);
      expect(comparable(takenName)).toEqual(comparable(fresh));
      expect(comparable(takenAddress)).toEqual(comparable(fresh));

      // Only the address owner hears of it; the typed-in address learns nothing about the username.
      const notice = await emailTo(server, 'owner@example.com', /already have an account/i);
      expect(notice.text).not.toMatch(/#token=/);
      await emailTo(server, 'brandnew@example.com', /confirm your email/i);
      await server.container.flushAccountMail();
      expect(await emailsTo(server, 'intruder@example.com')).toEqual([]);
      expect(await server.prisma.user.count({ where: { username: 'someoneelse' } })).toBe(0);
      expect(await auditReasons('account.registration_declined')).toEqual(
        expect.arrayContaining(['username_taken', 'email_taken']),
      );
    });

    it('replaces an unverified registration of the address, so its owner never verifies an account someone else chose the password of', async () => {
      const squatter = {
        username: 'squatter',
        email: 'victim@example.com',
        password: 'squatters passphrase',
      };
      expect((await postAccount(server, '/register', squatter)).status).toBe(202);
      const squattersLink = tokenIn((await emailTo(server, 'victim@example.com', /confirm/i)).text);

      const owner = { username: 'victim', email: 'victim@example.com', password: 'the owners passphrase' };
      expect((await postAccount(server, '/register', owner)).status).toBe(202);
      const ownersLink = await eventually(async () => {
        const rows = await emailsTo(server, 'victim@example.com');
        return rows.length === 2 ? tokenIn(rows[1]?.text ?? '') : undefined;
      });
      expect(await server.prisma.user.count({ where: { username: 'squatter' } })).toBe(0);
      expect((await postAccount(server, '/verify-email', { token: squattersLink })).status).toBe(400);
      expect((await postAccount(server, '/verify-email', { token: ownersLink })).status).toBe(204);
      expect((await login('victim', owner.password)).status).toBe(200);
      expect((await login('squatter', squatter.password)).status).toBe(400);
    });

    it('sends no link to an unverified account it cannot replace (an admin gave it a role)', async () => {
      const squatter = {
        username: 'squatter2',
        email: 'victim2@example.com',
        password: 'squatters passphrase',
      };
      await postAccount(server, '/register', squatter);
      await emailTo(server, 'victim2@example.com', /confirm/i);
      const held = await server.prisma.user.findUniqueOrThrow({ where: { username: 'squatter2' } });
      const role = await server.prisma.role.create({ data: { name: 'squatter-role' } });
      await server.prisma.userRole.create({ data: { userId: held.id, roleId: role.id } });

      const again = await postAccount(server, '/register', { ...squatter, username: 'victim2' });
      expect(again.status).toBe(202);
      await server.container.flushAccountMail();
      expect(await emailsTo(server, 'victim2@example.com')).toHaveLength(1);
      expect(await server.prisma.user.count({ where: { username: 'victim2' } })).toBe(0);
    });

    it('refuses a password the policy refuses, naming the rule and never the password', async () => {
      const response = await postAccount(server, '/register', {
        username: 'weak',
        email: 'weak@example.com',
        password: 'password123',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ path: 'password' }] });
      expect(response.text).not.toContain('password123');
      expect(await server.prisma.user.count({ where: { username: 'weak' } })).toBe(0);
    });

    it('refuses an expired verification token like an unknown one', async () => {
      await postAccount(server, '/register', {
        username: 'late',
        email: 'late@example.com',
        password: 'correct horse battery',
      });
      const user = await server.prisma.user.findUniqueOrThrow({ where: { username: 'late' } });
      const { token, id } = createAccountTokenCodec(server.config.clientSecretPepper).issue();
      await server.prisma.accountToken.create({
        data: {
          id,
          purpose: 'verify_email',
          userId: user.id,
          email: 'late@example.com',
          expiresAt: new Date(Date.now() - 1000),
        },
      });
      const expired = await postAccount(server, '/verify-email', { token });
      const unknown = await postAccount(server, '/verify-email', { token: 'x'.repeat(43) });
      expect(expired.status).toBe(400);
      expect(comparable(expired)).toEqual(comparable(unknown));
      expect(
        (await server.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt,
      ).toBeNull();
    });

    it('resends a link only to an unverified account, answering the same either way', async () => {
      await postAccount(server, '/register', {
        username: 'resend',
        email: 'resend@example.com',
        password: 'correct horse battery',
      });
      const first = tokenIn((await emailTo(server, 'resend@example.com', /confirm/i)).text);
      const again = await postAccount(server, '/verification-email', { email: 'resend@example.com' });
      const nobody = await postAccount(server, '/verification-email', { email: 'nobody@example.com' });
      expect(again.status).toBe(202);
      expect(comparable(nobody)).toEqual(comparable(again));
      const second = await eventually(async () => {
        const rows = await emailsTo(server, 'resend@example.com');
        return rows.length === 2 ? tokenIn(rows[1]?.text ?? '') : undefined;
      });
      expect((await postAccount(server, '/verify-email', { token: first })).status).toBe(400);
      expect((await postAccount(server, '/verify-email', { token: second })).status).toBe(204);
      await server.container.flushAccountMail();
      expect(await emailsTo(server, 'nobody@example.com')).toEqual([]);
    });
  });

  describe('password change', () => {
    it('needs the current password and the policy, then revokes every other grant and keeps this one', async () => {
      await server.addUser({ username: 'carol', password: 'carol original pass' });
      const other = await login('carol', 'carol original pass');
      const session = await login('carol', 'carol original pass', 'account');
      expect(other.status).toBe(200);
      expect(session.status).toBe(200);
      const accountToken = session.body.access_token as string;
      const claims = await server.verifyAccessToken(accountToken, server.config.account.resource);
      expect(claims.payload.scope).toBe('account');

      const wrong = await postAccount(
        server,
        '/password',
        { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
        { token: accountToken },
      );
      expect(wrong.status).toBe(403);
      expect(wrong.text).not.toContain('not the password');
      const weak = await postAccount(
        server,
        '/password',
        { currentPassword: 'carol original pass', newPassword: 'password123' },
        { token: accountToken },
      );
      expect(weak.status).toBe(400);
      expect(weak.body).toMatchObject({ errors: [{ path: 'newPassword' }] });
      const same = await postAccount(
        server,
        '/password',
        { currentPassword: 'carol original pass', newPassword: 'carol original pass' },
        { token: accountToken },
      );
      expect(same.status).toBe(400);

      const changed = await postAccount(
        server,
        '/password',
        { currentPassword: 'carol original pass', newPassword: NEW_PASSWORD },
        { token: accountToken },
      );
      expect(changed.status).toBe(204);
      expect(changed.headers.get('cache-control')).toBe('no-store');

      expect((await refresh(other.body.refresh_token as string)).body.error).toBe('invalid_grant');
      expect(await accessTokenRevoked(server, other.body.access_token as string)).toBe(true);
      expect(await accessTokenRevoked(server, accountToken)).toBe(false);
      expect((await refresh(session.body.refresh_token as string)).status).toBe(200);
      expect((await login('carol', 'carol original pass')).status).toBe(400);
      expect((await login('carol', NEW_PASSWORD)).status).toBe(200);
      await server.container.flushAudit();
      const event = await server.prisma.auditEvent.findFirstOrThrow({
        where: { type: 'account.password_changed' },
      });
      expect(event.details).toEqual({ grantsRevoked: 1 });
      expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
    });

    it('refuses tokens of other audiences and no token at all with RFC 6750 answers', async () => {
      await server.addUser({ username: 'dave', password: 'dave original pass' });
      const items = await login('dave', 'dave original pass');
      const body = { currentPassword: 'dave original pass', newPassword: NEW_PASSWORD };
      const wrongAudience = await postAccount(server, '/password', body, {
        token: items.body.access_token as string,
      });
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.headers.get('www-authenticate')).toMatch(/^Bearer realm="portcullis-account"/);
      expect((await postAccount(server, '/password', body)).status).toBe(401);
    });

    it('issues no account-audience token to a service client', async () => {
      const service = { id: 'account-service', secret: 'account-service-secret-0123456789abcdef' };
      await server.addClient({ ...service, grantTypes: ['client_credentials'], scopes: ['account'] });
      const response = await server.token({ grant_type: 'client_credentials', scope: 'account' }, service);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_target');
    });
  });

  describe('password reset', () => {
    it('emails a link, resets once, signs out every session and verifies the address', async () => {
      await server.addUser({ username: 'erin', password: 'erin original pass' });
      await server.prisma.user.update({
        where: { username: 'erin' },
        data: { email: 'erin@example.com', mustVerifyEmail: true },
      });
      await server.prisma.user.update({ where: { username: 'erin' }, data: { mustVerifyEmail: false } });
      const sessions = [await login('erin', 'erin original pass'), await login('erin', 'erin original pass')];

      const known = await postAccount(server, '/password-reset', { email: 'erin@example.com' });
      const unknown = await postAccount(server, '/password-reset', { email: 'nobody-here@example.com' });
      expect(known.status).toBe(202);
      expect(comparable(unknown)).toEqual(comparable(known));
      const firstLink = tokenIn((await emailTo(server, 'erin@example.com', /reset/i)).text);
      await postAccount(server, '/password-reset', { email: 'ERIN@example.com' });
      const secondLink = await eventually(async () => {
        const rows = await emailsTo(server, 'erin@example.com');
        return rows.length === 2 ? tokenIn(rows[1]?.text ?? '') : undefined;
      });

      // Only the newest link works, a refused password does not spend it, and it works once.
      const superseded = await postAccount(server, '/password-reset/confirm', {
        token: firstLink,
        newPassword: NEW_PASSWORD,
      });
      expect(superseded.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });
      const weak = await postAccount(server, '/password-reset/confirm', {
        token: secondLink,
        newPassword: 'erin',
      });
      expect(weak.status).toBe(400);
      expect(weak.body).toMatchObject({ errors: [{ path: 'newPassword' }] });
      const reset = await postAccount(server, '/password-reset/confirm', {
        token: secondLink,
        newPassword: NEW_PASSWORD,
      });
      expect(reset.status).toBe(204);
      const replay = await postAccount(server, '/password-reset/confirm', {
        token: secondLink,
        newPassword: 'yet another passphrase',
      });
      expect(replay.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });

      for (const session of sessions) {
        expect((await refresh(session.body.refresh_token as string)).body.error).toBe('invalid_grant');
        expect(await accessTokenRevoked(server, session.body.access_token as string)).toBe(true);
      }
      expect((await login('erin', 'erin original pass')).status).toBe(400);
      expect((await login('erin', NEW_PASSWORD)).status).toBe(200);
      const erin = await server.prisma.user.findUniqueOrThrow({ where: { username: 'erin' } });
      expect(erin.emailVerifiedAt).not.toBeNull();
      await server.container.flushAudit();
      const requested = await server.prisma.auditEvent.findMany({
        where: { type: 'account.password_reset_requested' },
      });
      expect(requested.map((event) => event.details)).toEqual(
        expect.arrayContaining([{ sent: true }, { sent: false }]),
      );
      expect(JSON.stringify(requested)).not.toContain('nobody-here@example.com');
      expect(
        await server.prisma.auditEvent.count({ where: { type: 'account.password_reset', subject: erin.id } }),
      ).toBe(1);
    });

    it('refuses an expired reset token', async () => {
      const userId = await server.addUser({ username: 'frank', password: 'frank original pass' });
      const { token, id } = createAccountTokenCodec(server.config.clientSecretPepper).issue();
      await server.prisma.accountToken.create({
        data: {
          id,
          purpose: 'reset_password',
          userId,
          email: 'frank@example.com',
          expiresAt: new Date(Date.now() - 1),
        },
      });
      const response = await postAccount(server, '/password-reset/confirm', {
        token,
        newPassword: NEW_PASSWORD,
      });
      expect(response.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });
      expect((await login('frank', 'frank original pass')).status).toBe(200);
    });

    it('never takes a verification token as a reset token', async () => {
      const userId = await server.addUser({ username: 'gina', password: 'gina original pass' });
      const { token, id } = createAccountTokenCodec(server.config.clientSecretPepper).issue();
      await server.prisma.accountToken.create({
        data: {
          id,
          purpose: 'verify_email',
          userId,
          email: 'gina@example.com',
          expiresAt: new Date(Date.now() + 60_000),
        },
      });
      const response = await postAccount(server, '/password-reset/confirm', {
        token,
        newPassword: NEW_PASSWORD,
      });
      expect(response.status).toBe(400);
    });
  });
});

describe('account features switched off, and account rate limits', () => {
  let server: TestAuthServer;
  let redis: Redis;
  const layout = uniqueLayout();

  beforeAll(async () => {
    redis = await connectedClient();
    server = await startTestAuthServer({
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      PASSWORD_RESET_ENABLED: 'true',
      PASSWORD_CHANGE_ENABLED: 'false',
      RATE_LIMIT_ACCOUNT_PER_IP: '3',
      RATE_LIMIT_ACCOUNT_PER_EMAIL: '1',
    });
  });

  afterAll(async () => {
    await server?.close();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  it('answers 404 for routes whose feature is off', async () => {
    for (const path of ['/register', '/verification-email', '/password']) {
      const response = await postAccount(server, path, {});
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 405 with Allow for a wrong method on a served route', async () => {
    const response = await fetch(`${server.url}/account/password-reset`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('limits requests per address in the email and per client address, with 429 problems', async () => {
    expect((await postAccount(server, '/password-reset', { email: 'flood@example.com' })).status).toBe(202);
    const perEmail = await postAccount(server, '/password-reset', { email: 'flood@example.com' });
    expect(perEmail.status).toBe(429);
    expect(perEmail.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(perEmail.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(perEmail.headers.get('ratelimit-policy')).toBe('"account-email";q=1;w=3600');
    expect(perEmail.headers.get('cache-control')).toBe('no-store');

    expect((await postAccount(server, '/password-reset', { email: 'other@example.com' })).status).toBe(202);
    const perIp = await postAccount(server, '/password-reset', { email: 'third@example.com' });
    expect(perIp.status).toBe(429);
    expect(perIp.headers.get('ratelimit-policy')).toBe('"account-ip";q=3;w=60');
    expect(perIp.headers.get('ratelimit')).toMatch(/^"account-ip";r=0;t=\d+$/);
    // Shared through Redis: the counters are there, keyed without the address in the clear.
    const keys = await redis.keys(`${layout.keyPrefix}*`);
    expect(keys.some((key) => key.includes('account-ip'))).toBe(true);
    expect(keys.join(' ')).not.toContain('flood@example.com');
  });
});
