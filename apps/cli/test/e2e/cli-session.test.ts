import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `portcullis` login, session, whoami, logout and the exit codes of the ways they fail. */
describe('portcullis CLI: session and exit codes', () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
  }, 30_000);
  afterAll(async () => t?.close());

  const sessionFile = (directory: string) => join(directory, 'session.json');

  it('prints help for everything and exits 0', async () => {
    const overview = await t.run(['--help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^Usage: portcullis <command>/m);
    for (const command of [
      'login',
      'users <command>',
      'clients <command>',
      'revoke',
      'keys <command>',
      'audit',
    ]) {
      expect(overview.stdout).toContain(command);
    }
    const create = await t.run(['users', 'create', '--help']);
    expect(create.code).toBe(0);
    expect(create.stdout).toContain('Usage: portcullis users create <username> [options]');
    expect(create.stdout).toContain('--password-stdin');
  });

  it('exits 2 on a usage error, naming the problem and the help to read', async () => {
    const unknownOption = await t.run(['users', 'list', '--colour']);
    expect(unknownOption).toMatchObject({ code: 2, stdout: '' });
    expect(unknownOption.stderr).toContain("Unknown option '--colour'");
    expect(unknownOption.stderr).toContain('portcullis users list --help');
    const missingArgument = await t.run(['users', 'get']);
    expect(missingArgument.code).toBe(2);
    expect(missingArgument.stderr).toContain('missing argument <user>');
    expect((await t.run(['frobnicate'])).code).toBe(2);
    expect((await t.run([])).code).toBe(2);
    expect((await t.run(['users', 'list', '--limit', 'many'])).stderr).toContain(
      '--limit must be a whole number',
    );
  });

  it('exits 3 with a hint when there is no session', async () => {
    const empty = await t.newConfigDir();
    const result = await t.run(['keys', 'list'], { env: { PORTCULLIS_CONFIG_DIR: empty } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('not logged in');
    expect(result.stderr).toContain('portcullis login');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a wrong client secret with exit 3 and saves nothing', async () => {
    const directory = await t.newConfigDir();
    const result = await t.run(
      ['login', '--admin-url', t.server.adminUrl, '--client-id', ADMIN_CLIENT.id, '--client-secret-stdin'],
      { env: { PORTCULLIS_CONFIG_DIR: directory }, stdin: 'not-the-secret\n' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('invalid_client');
    await expect(stat(sessionFile(directory))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('logs in through RFC 9728 + discovery and keeps only the token, in a 0600 file', async () => {
    const result = await t.login();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${t.server.adminUrl} as ${ADMIN_CLIENT.id}`);
    expect(result.stdout).toContain(t.server.config.issuer);
    const file = sessionFile(t.configDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(ADMIN_CLIENT.secret);
    const session = JSON.parse(text) as Record<string, string>;
    expect(Object.keys(session).sort()).toEqual([
      'accessToken',
      'adminUrl',
      'clientId',
      'expiresAt',
      'issuer',
      'tokenEndpoint',
      'version',
    ]);
    // The issuer and token endpoint are pinned for later renewals (the endpoint sits where discovery was read).
    expect(session).toMatchObject({
      version: 2,
      adminUrl: t.server.adminUrl,
      clientId: ADMIN_CLIENT.id,
      issuer: t.server.config.issuer,
      tokenEndpoint: `${t.server.url}/token`,
    });
    // The saved token is a real admin token: the server verifies it.
    const verified = await t.server.verifyAccessToken(session.accessToken!, t.server.config.admin.resource);
    expect(verified.payload.client_id).toBe(ADMIN_CLIENT.id);
  });

  it('shows who the session is with whoami, and says the claims are not verified', async () => {
    const human = await t.run(['whoami']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^client\s+ops-cli$/m);
    expect(human.stdout).toMatch(/^scopes\s+admin$/m);
    expect(human.stdout).toContain('admin:users:write');
    expect(human.stdout).toMatch(/^expires at\s+\S+Z \(in \d+m \d+s\)$/m);
    expect(human.stderr).toContain('not verified');
    const json = await t.run(['whoami', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      clientId: string;
      verified: boolean;
      claims: { aud: string };
    };
    expect(parsed).toMatchObject({ clientId: ADMIN_CLIENT.id, verified: false });
    expect(parsed.claims.aud).toBe(t.server.config.admin.resource);
  });

  it('renews an expired session when the environment has the secret, and otherwise asks for a login', async () => {
    const directory = await t.newConfigDir();
    const env = { PORTCULLIS_CONFIG_DIR: directory };
    expect(
      (
        await t.run(
          [
            'login',
            '--admin-url',
            t.server.adminUrl,
            '--client-id',
            ADMIN_CLIENT.id,
            '--client-secret-stdin',
          ],
          { env, stdin: ADMIN_CLIENT.secret },
        )
      ).code,
    ).toBe(0);
    const file = sessionFile(directory);
    const expired = { ...JSON.parse(await readFile(file, 'utf8')), expiresAt: '2000-01-01T00:00:00.000Z' };
    await writeFile(file, JSON.stringify(expired), { mode: 0o600 });

    const refused = await t.run(['keys', 'list'], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('expired');

    const renewed = await t.run(['keys', 'list'], {
      env: { ...env, PORTCULLIS_CLIENT_SECRET: ADMIN_CLIENT.secret },
    });
    expect(renewed.code).toBe(0);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { expiresAt: string; accessToken: string };
    expect(Date.parse(saved.expiresAt)).toBeGreaterThan(Date.now());
    expect(saved.accessToken).not.toBe(expired.accessToken);
  });

  it('works from the environment alone, without a session file', async () => {
    const directory = await t.newConfigDir();
    const result = await t.run(['keys', 'list', '--json'], {
      env: {
        PORTCULLIS_CONFIG_DIR: directory,
        PORTCULLIS_ADMIN_URL: t.server.adminUrl,
        PORTCULLIS_CLIENT_ID: ADMIN_CLIENT.id,
        PORTCULLIS_CLIENT_SECRET: ADMIN_CLIENT.secret,
      },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      keys: [expect.objectContaining({ status: 'active' })],
    });
    await expect(stat(sessionFile(directory))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exits 3 when the admin API refuses the saved token', async () => {
    const directory = await t.newConfigDir();
    await writeFile(
      sessionFile(directory),
      JSON.stringify({
        version: 2,
        adminUrl: t.server.adminUrl,
        clientId: ADMIN_CLIENT.id,
        issuer: t.server.config.issuer,
        tokenEndpoint: `${t.server.url}/token`,
        accessToken: 'eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
      { mode: 0o600 },
    );
    const result = await t.run(['keys', 'list'], { env: { PORTCULLIS_CONFIG_DIR: directory } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the admin API refused the token');
  });

  it('exits 4 when the admin URL does not answer', async () => {
    const port = await closedPort();
    const directory = await t.newConfigDir();
    const login = await t.run(
      ['login', '--admin-url', `http://127.0.0.1:${port}`, '--client-id', 'x', '--client-secret-stdin'],
      { env: { PORTCULLIS_CONFIG_DIR: directory }, stdin: 'secret' },
    );
    expect(login.code).toBe(4);
    expect(login.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    const command = await t.run(['users', 'list', '--admin-url', `http://127.0.0.1:${port}`], {
      env: { PORTCULLIS_CLIENT_ID: 'x', PORTCULLIS_CLIENT_SECRET: 'y', PORTCULLIS_CONFIG_DIR: directory },
    });
    expect(command.code).toBe(4);
  });

  it('exits 3 when the URL answers but is not an admin API', async () => {
    const result = await t.run(
      ['login', '--admin-url', t.server.url, '--client-id', 'x', '--client-secret-stdin'],
      {
        env: { PORTCULLIS_CONFIG_DIR: await t.newConfigDir() },
        stdin: 'secret',
      },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('does not look like a Portcullis admin API');
  });

  it('logs out by deleting the session file; later commands need a login again', async () => {
    const directory = await t.newConfigDir();
    const env = { PORTCULLIS_CONFIG_DIR: directory };
    await t.run(
      ['login', '--admin-url', t.server.adminUrl, '--client-id', ADMIN_CLIENT.id, '--client-secret-stdin'],
      { env, stdin: ADMIN_CLIENT.secret },
    );
    const logout = await t.run(['logout'], { env });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain('Logged out');
    await expect(stat(sessionFile(directory))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await t.run(['whoami'], { env })).code).toBe(3);
    expect((await t.run(['logout'], { env })).stdout).toContain('Not logged in');
  });
});
