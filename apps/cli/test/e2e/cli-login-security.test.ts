import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';
import { type FakeHttpServer, startFakeHttpServer } from '../support/fake-http-server.js';

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

/** TEST-NET-1 (RFC 5737): never routed, so reaching it at all would show up as a timeout, not a refusal. */
const REMOTE_HTTP = 'http://192.0.2.1:4100';

/** Where `login` may send the client secret, and what a session remembers of it. */
describe('portcullis CLI: where credentials may go', () => {
  let t: CliTestServer;
  const fakes: FakeHttpServer[] = [];
  const fake = async (routes: Parameters<typeof startFakeHttpServer>[0]) => {
    const server = await startFakeHttpServer(routes);
    fakes.push(server);
    return server;
  };
  beforeAll(async () => {
    t = await startCliTestServer();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((server) => server.close()));
  });
  afterAll(async () => t?.close());

  const sessionFile = (directory: string) => join(directory, 'session.json');
  const login = (directory: string, ...extra: string[]) =>
    t.run(['login', '--client-secret-stdin', ...extra], {
      env: { PORTCULLIS_CONFIG_DIR: directory },
      stdin: ADMIN_CLIENT.secret,
    });
  const loginToServer = (directory: string) =>
    login(directory, '--admin-url', t.server.adminUrl, '--client-id', ADMIN_CLIENT.id);

  it('refuses plain http to a non-loopback admin API before any request; --insecure-http allows it', async () => {
    const directory = await t.newConfigDir();
    const refused = await login(directory, '--admin-url', REMOTE_HTTP, '--client-id', 'x', '--timeout', '1');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`refusing plain http to the admin API at ${REMOTE_HTTP}`);
    expect(refused.stderr).toContain('--insecure-http');

    const fromEnvironment = await t.run(['users', 'list', '--timeout', '1'], {
      env: {
        PORTCULLIS_CONFIG_DIR: directory,
        PORTCULLIS_ADMIN_URL: REMOTE_HTTP,
        PORTCULLIS_CLIENT_ID: 'x',
        PORTCULLIS_CLIENT_SECRET: 'y',
      },
    });
    expect(fromEnvironment.code).toBe(3);
    expect(fromEnvironment.stderr).toContain('refusing plain http');

    // A saved token is not sent there either.
    await writeFile(
      sessionFile(directory),
      JSON.stringify({
        version: 2,
        adminUrl: REMOTE_HTTP,
        clientId: 'x',
        issuer: 'https://issuer.example',
        tokenEndpoint: 'https://issuer.example/token',
        accessToken: 'a.b.c',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
      { mode: 0o600 },
    );
    const withSession = await t.run(['keys', 'list', '--timeout', '1'], {
      env: { PORTCULLIS_CONFIG_DIR: directory },
    });
    expect(withSession.code).toBe(3);
    expect(withSession.stderr).toContain('refusing plain http to the admin API');

    const insecure = await login(
      await t.newConfigDir(),
      '--admin-url',
      REMOTE_HTTP,
      '--client-id',
      'x',
      '--timeout',
      '1',
      '--insecure-http',
    );
    expect(insecure.code).toBe(4); // it tried: nothing answers there
    expect(insecure.stderr).toContain(`warning: ${REMOTE_HTTP} is plain http`);
  });

  it('refuses an issuer the admin metadata names at a non-loopback http URL', async () => {
    const admin = await fake(() => ({
      '/.well-known/oauth-protected-resource': {
        resource: 'https://admin.example',
        authorization_servers: ['http://192.0.2.1:4000'],
      },
    }));
    const result = await t.run(
      ['login', '--admin-url', admin.url, '--client-id', 'x', '--client-secret-stdin', '--timeout', '1'],
      { env: { PORTCULLIS_CONFIG_DIR: await t.newConfigDir(), PORTCULLIS_ISSUER_URL: '' }, stdin: 'secret' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('refusing plain http to the issuer at http://192.0.2.1:4000');
  });

  it('refuses a token endpoint on another origin than the discovery document, sending it nothing', async () => {
    const elsewhere = await fake(() => ({ '/token': { access_token: 'stolen' } }));
    const admin = await fake((url) => ({
      '/.well-known/oauth-protected-resource': {
        resource: 'https://admin.example',
        authorization_servers: [url],
        scopes_supported: ['admin'],
      },
      '/.well-known/openid-configuration': { issuer: url, token_endpoint: `${elsewhere.url}/token` },
    }));
    const directory = await t.newConfigDir();
    const result = await t.run(
      ['login', '--admin-url', admin.url, '--client-id', 'x', '--client-secret-stdin'],
      { env: { PORTCULLIS_CONFIG_DIR: directory, PORTCULLIS_ISSUER_URL: '' }, stdin: 'the-secret' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`names a token endpoint on another origin: ${elsewhere.url}/token`);
    expect(elsewhere.requests).toEqual([]);
    expect(admin.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
    await expect(stat(sessionFile(directory))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('renews only from the issuer and token endpoint pinned at login', async () => {
    const directory = await t.newConfigDir();
    expect((await loginToServer(directory)).code).toBe(0);
    const file = sessionFile(directory);
    const loggedIn = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const expired = { ...loggedIn, expiresAt: '2000-01-01T00:00:00.000Z' };
    await writeFile(file, JSON.stringify(expired), { mode: 0o600 });
    const renew = (env: Record<string, string> = {}) =>
      t.run(['keys', 'list'], {
        env: { PORTCULLIS_CONFIG_DIR: directory, PORTCULLIS_CLIENT_SECRET: ADMIN_CLIENT.secret, ...env },
      });

    // Discovery (reached through another --issuer-url) names the same issuer but a new token endpoint.
    const moved = await fake((url) => ({
      '/.well-known/openid-configuration': { issuer: t.server.config.issuer, token_endpoint: `${url}/token` },
    }));
    const refused = await renew({ PORTCULLIS_ISSUER_URL: moved.url });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      `discovery now names token endpoint ${moved.url}/token, not ${loggedIn.tokenEndpoint as string}`,
    );
    expect(refused.stderr).toContain('portcullis login');
    expect(moved.requests).toEqual([{ method: 'GET', path: '/.well-known/openid-configuration' }]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(expired);

    // The session was logged in with another issuer than the admin API names now.
    await writeFile(file, JSON.stringify({ ...expired, issuer: 'https://old-issuer.example' }), {
      mode: 0o600,
    });
    const otherIssuer = await renew();
    expect(otherIssuer.code).toBe(3);
    expect(otherIssuer.stderr).toContain(
      `discovery now names issuer ${t.server.config.issuer}, not https://old-issuer.example`,
    );

    // Nothing moved: the renewal goes through and keeps the pins.
    await writeFile(file, JSON.stringify(expired), { mode: 0o600 });
    expect((await renew()).code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      issuer: loggedIn.issuer,
      tokenEndpoint: loggedIn.tokenEndpoint,
    });
  });

  it("reuses the session's client id only for the same admin URL", async () => {
    const directory = await t.newConfigDir();
    expect((await loginToServer(directory)).code).toBe(0);
    const again = await login(directory, '--admin-url', t.server.adminUrl);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`as ${ADMIN_CLIENT.id}`);
    const elsewhere = await login(directory, '--admin-url', 'http://127.0.0.1:9');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('give --client-id');
  });

  it('creates the session directory 0700, warns about an open one without chmod-ing it, cleans up on failure', async () => {
    const created = join(await t.newConfigDir(), 'config', 'portcullis');
    expect((await loginToServer(created)).code).toBe(0);
    expect((await stat(created)).mode & 0o777).toBe(0o700);

    const shared = await t.newConfigDir();
    await chmod(shared, 0o755);
    const warned = await loginToServer(shared);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`${shared} is open to other users`);
    expect((await stat(shared)).mode & 0o777).toBe(0o755);

    // session.json is a non-empty directory: the rename fails, and the temporary copy of the token goes.
    const broken = await t.newConfigDir();
    await mkdir(sessionFile(broken));
    await writeFile(join(sessionFile(broken), 'keep'), 'x');
    const failed = await loginToServer(broken);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain(`cannot write ${sessionFile(broken)}`);
    expect(await readdir(broken)).toEqual(['session.json']);
  });
});
