import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { type AuthServerProcess, runCli, startAuthServerProcess } from './auth-server-process.js';

/**
 * The first admin of a fresh installation (README "Running in production"): the built command creates an
 * admin client in an empty database, its secret gets an admin-API token, and that token works.
 */
describe('create-admin-client', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let server: AuthServerProcess;
  let adminPort: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    adminPort = await freePort();
    env = testEnvironment(database.url, { ADMIN_PORT: String(adminPort) });
    server = await startAuthServerProcess(env);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('creates an admin client whose token reaches the admin API, and shows its secret once', async () => {
    const created = JSON.parse(await runCli('cli/create-admin-client.js', ['ops-admin'], env)) as {
      clientId: string;
      clientSecret: string;
    };
    expect(created.clientId).toBe('ops-admin');
    expect(created.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const tokenAnswer = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`ops-admin:${created.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'admin',
        resource: `${server.url}/admin`,
      }),
    });
    expect(tokenAnswer.status).toBe(200);
    const { access_token } = (await tokenAnswer.json()) as { access_token: string };

    const clients = await fetch(`http://127.0.0.1:${adminPort}/clients`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(clients.status).toBe(200);
    const listed = JSON.stringify(await clients.json());
    expect(listed).toContain('ops-admin');
    expect(listed).not.toContain(created.clientSecret);
  });

  it('refuses an id that exists, changing nothing', async () => {
    await expect(runCli('cli/create-admin-client.js', ['ops-admin'], env)).rejects.toThrow(
      /client ops-admin exists already; manage it through the admin API/,
    );
  });

  it('refuses a malformed id with its usage line', async () => {
    await expect(runCli('cli/create-admin-client.js', ['no spaces'], env)).rejects.toThrow(
      /usage: create-admin-client <client-id>/,
    );
  });
});
