import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@portcullis/service-kit';
import { emailTo, postAccount, tokenIn } from '../support/account-requests.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'account-sec-web', secret: 'account-sec-web-secret-0123456789abcdef012345' };
const PASSWORD = 'a secret passphrase 1';
const NEW_PASSWORD = 'another secret passphrase 2';
const RESET_PASSWORD = 'a third secret passphrase 3';

/**
 * The account API's input handling and what it gives away: malformed, oversized and mistyped bodies are
 * refused as problems before anything runs, and no password, token or link reaches an answer or a log line.
 */
describe('account API input and secrets', () => {
  let server: TestAuthServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('auth-server', 'trace', {
      write: (line: string) => void logLines.push(line),
    });
    server = await startTestAuthServer(
      {
        SELF_REGISTRATION_ENABLED: 'true',
        PASSWORD_RESET_ENABLED: 'true',
        RATE_LIMIT_ACCOUNT_PER_IP: '100000',
        LOG_LEVEL: 'trace',
      },
      { logger },
    );
    await server.addClient({
      ...web,
      grantTypes: ['password', 'refresh_token'],
      scopes: ['account'],
      firstParty: true,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const raw = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${server.url}/account${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it.each(['/register', '/verify-email', '/password-reset', '/password-reset/confirm'])(
    'refuses a malformed, oversized, mistyped or unexpected body at %s',
    async (path) => {
      const invalidJson = await raw(path, '{"token":');
      expect(invalidJson.status).toBe(400);
      expect(invalidJson.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(invalidJson.headers.get('cache-control')).toBe('no-store');

      const oversized = await raw(path, JSON.stringify({ token: 'x'.repeat(20_000) }));
      expect(oversized.status).toBe(413);

      const form = await raw(path, 'email=a%40example.com', 'application/x-www-form-urlencoded');
      expect(form.status).toBe(415);

      const extra = await raw(path, JSON.stringify({ email: 'a@example.com', token: 'x', admin: true }));
      expect(extra.status).toBe(400);
      expect(((await extra.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);

      const notObject = await raw(path, '[]');
      expect(notObject.status).toBe(400);
    },
  );

  it('keeps passwords, tokens and links out of answers and logs', async () => {
    const registered = await postAccount(server, '/register', {
      username: 'secretive',
      email: 'secretive@example.com',
      password: PASSWORD,
    });
    expect(registered.status).toBe(202);
    const verification = tokenIn((await emailTo(server, 'secretive@example.com', /confirm/i)).text);
    expect((await postAccount(server, '/verify-email', { token: verification })).status).toBe(204);

    const session = await server.token(
      { grant_type: 'password', username: 'secretive', password: PASSWORD, scope: 'account' },
      web,
    );
    const accessToken = session.body.access_token as string;
    const changed = await postAccount(
      server,
      '/password',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { token: accessToken },
    );
    expect(changed.status).toBe(204);

    await postAccount(server, '/password-reset', { email: 'secretive@example.com' });
    const reset = tokenIn((await emailTo(server, 'secretive@example.com', /reset/i)).text);
    const confirmed = await postAccount(server, '/password-reset/confirm', {
      token: reset,
      newPassword: RESET_PASSWORD,
    });
    expect(confirmed.status).toBe(204);
    const replayed = await postAccount(server, '/password-reset/confirm', {
      token: reset,
      newPassword: RESET_PASSWORD,
    });
    expect(replayed.status).toBe(400);

    await server.container.flushAudit();
    const answers = [registered, changed, confirmed, replayed].map((response) => response.text).join('\n');
    const audit = JSON.stringify(
      await server.prisma.auditEvent.findMany({ where: { type: { startsWith: 'account.' } } }),
    );
    const storedTokens = JSON.stringify(await server.prisma.accountToken.findMany());
    const secrets = [PASSWORD, NEW_PASSWORD, RESET_PASSWORD, verification, reset, accessToken];
    for (const secret of secrets) {
      expect(answers).not.toContain(secret);
      expect(logLines.join('')).not.toContain(secret);
      expect(audit).not.toContain(secret);
      expect(storedTokens).not.toContain(secret);
    }
    expect(audit).not.toContain('secretive@example.com');
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('does not let a token with the account scope but another audience change a password', async () => {
    const forged = await postAccount(
      server,
      '/password',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { token: 'e30.e30.AAAA' },
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
