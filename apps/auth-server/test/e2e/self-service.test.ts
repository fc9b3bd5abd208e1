import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { freePort } from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../src/seed/demo-data.js';
import {
  type ClientSecret,
  type HttpAnswer,
  outboxLink,
  postJson,
  tokenOfLink,
  tokenRequest,
} from '../support/process-http.js';
import { testEnvironment } from '../support/test-environment.js';
import { type AuthServerProcess, runCli, startAuthServerProcess } from './auth-server-process.js';

const USERNAME = 'nadia';
const ADDRESS = 'nadia@example.com';
const FIRST_PASSWORD = 'correct horse battery';
const CHANGED_PASSWORD = 'a fresh and long passphrase';
const RESET_PASSWORD = 'yet another long passphrase';

/** What a caller can compare between two answers: everything but the per-request fields. */
function comparable(answer: HttpAnswer) {
  const headers = Object.fromEntries(
    [...answer.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)),
  );
  return { status: answer.status, headers, text: answer.text };
}

/**
 * Issue 8's self-service accounts against the built auth server as a real process (development mode, mail
 * in the outbox table), driven by fetch alone: the links come out of the outbox through the built
 * `show-email-outbox` command, as a developer would read them. One account's whole life, in order:
 * register, verify, change the password, reset it.
 */
describe('self-service accounts end to end (built auth server)', () => {
  const layout = uniqueLayout();
  let database: TestDatabase;
  let env: Record<string, string>;
  let server: AuthServerProcess;
  let workDir: string;
  let web: ClientSecret;
  /** The tokens of the session that changed the password, as last refreshed. */
  let session: { access_token: string; refresh_token: string };

  const account = (path: string, body: unknown, token?: string) =>
    postJson(`${server.url}/account${path}`, body, token);
  const login = (password: string, scope = 'items:read') =>
    tokenRequest(server.url, web, { grant_type: 'password', username: USERNAME, password, scope });
  const refresh = (refreshToken: string) =>
    tokenRequest(server.url, web, { grant_type: 'refresh_token', refresh_token: refreshToken });
  const tokensOf = (answer: HttpAnswer) => {
    if (answer.status !== 200) throw new Error(`no tokens (${answer.status}): ${answer.text}`);
    return answer.body as { access_token: string; refresh_token: string };
  };
  /**
   * Whether the account API takes this access token: a wrong current password is refused with 403 once the
   * token is accepted, 401 when the token itself is refused (RFC 6750).
   */
  const accountApiStatus = async (accessToken: string) =>
    (
      await account(
        '/password',
        { currentPassword: 'not the current password', newPassword: 'some other passphrase' },
        accessToken,
      )
    ).status;
  const outbox = (pathPart: string) => outboxLink({ DATABASE_URL: database.url }, ADDRESS, pathPart);

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'portcullis-self-service-'));
    const adminPort = await freePort();
    env = testEnvironment(database.url, {
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      ADMIN_PORT: String(adminPort),
      SELF_REGISTRATION_ENABLED: 'true',
      PASSWORD_RESET_ENABLED: 'true',
      EMAIL_TRANSPORT: 'outbox',
      // One address and one client address for the whole file; the limits have their own tests.
      RATE_LIMIT_ACCOUNT_PER_IP: '100000',
      RATE_LIMIT_ACCOUNT_PER_EMAIL: '1000',
    });
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], env);
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    server = await startAuthServerProcess(env);

    // A first-party password client that may ask for the account scope, made as an operator would.
    const demoAdmin = credentials.clients.find((client) => client.clientId === 'demo-admin');
    if (!demoAdmin) throw new Error('no demo-admin client');
    const admin = tokensOf(
      await tokenRequest(
        server.url,
        { id: demoAdmin.clientId, secret: demoAdmin.clientSecret },
        { grant_type: 'client_credentials', scope: 'admin' },
      ),
    ).access_token;
    await adminListening(server);
    const created = await postJson(
      `http://127.0.0.1:${adminPort}/clients`,
      {
        id: 'e2e-account-web',
        grantTypes: ['password', 'refresh_token'],
        scopes: ['items:read', 'account'],
        firstParty: true,
      },
      admin,
    );
    if (created.status !== 201) throw new Error(`client not created (${created.status}): ${created.text}`);
    web = { id: 'e2e-account-web', secret: created.body?.clientSecret as string };
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
    const redis = await connectedClient();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  it('registers, refuses the login until the address is verified, and answers a taken username the same', async () => {
    const registered = await account('/register', {
      username: USERNAME,
      email: ADDRESS,
      password: FIRST_PASSWORD,
    });
    expect(registered.status).toBe(202);
    expect(registered.headers.get('cache-control')).toBe('no-store');
    expect(registered.text).not.toContain(FIRST_PASSWORD);

    const link = await outbox('/verify-email#token=');
    expect(link.startsWith(`${server.url}/account/verify-email#token=`)).toBe(true);
    const token = tokenOfLink(link);

    const refused = await login(FIRST_PASSWORD);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant' });

    const verified = await account('/verify-email', { token });
    expect(verified.status).toBe(204);
    tokensOf(await login(FIRST_PASSWORD));

    const again = await account('/register', {
      username: USERNAME,
      email: 'intruder@example.com',
      password: 'an intruder passphrase',
    });
    expect(comparable(again)).toEqual(comparable(registered));

    const replay = await account('/verify-email', { token });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(replay.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });
  }, 60_000);

  it('a password change with an account token ends the other sessions and keeps its own', async () => {
    const other = tokensOf(await login(FIRST_PASSWORD));
    const otherAccount = tokensOf(await login(FIRST_PASSWORD, 'account'));
    const current = tokensOf(await login(FIRST_PASSWORD, 'account'));
    expect(await accountApiStatus(otherAccount.access_token)).toBe(403);

    const changed = await account(
      '/password',
      { currentPassword: FIRST_PASSWORD, newPassword: CHANGED_PASSWORD },
      current.access_token,
    );
    expect(changed.status).toBe(204);

    for (const ended of [other, otherAccount]) {
      const refused = await refresh(ended.refresh_token);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_grant' });
    }
    expect(await accountApiStatus(otherAccount.access_token)).toBe(401);
    expect(await accountApiStatus(current.access_token)).toBe(403);
    session = tokensOf(await refresh(current.refresh_token));
    expect((await login(FIRST_PASSWORD)).status).toBe(400);
    tokensOf(await login(CHANGED_PASSWORD));
  }, 60_000);

  it('a password reset by emailed link ends every session, once, and answers an unknown address the same', async () => {
    const another = tokensOf(await login(CHANGED_PASSWORD));

    const requested = await account('/password-reset', { email: ADDRESS });
    const unknown = await account('/password-reset', { email: 'nobody-here@example.com' });
    expect(requested.status).toBe(202);
    expect(comparable(unknown)).toEqual(comparable(requested));
    const link = await outbox('/reset-password#token=');
    const token = tokenOfLink(link);

    const reset = await account('/password-reset/confirm', { token, newPassword: RESET_PASSWORD });
    expect(reset.status).toBe(204);

    for (const ended of [session, another]) {
      const refused = await refresh(ended.refresh_token);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_grant' });
    }
    expect(await accountApiStatus(session.access_token)).toBe(401);
    tokensOf(await login(RESET_PASSWORD));
    expect((await login(CHANGED_PASSWORD)).body).toMatchObject({ error: 'invalid_grant' });

    const replay = await account('/password-reset/confirm', { token, newPassword: 'one more passphrase' });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ status: 400, detail: 'invalid or expired token' });
    tokensOf(await login(RESET_PASSWORD));
  }, 60_000);
});

/** "auth-server listening" comes first; the admin listener opens right after it. */
async function adminListening(server: AuthServerProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!server.output().includes('"msg":"admin-api listening"')) {
    if (Date.now() > deadline) throw new Error(`no admin listener within 10 s:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
