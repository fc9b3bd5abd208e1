import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { createPasswordHasher } from '../../src/credentials/password-hasher.js';
import { type DemoCredentials, seedDemoData } from '../../src/seed/demo-data.js';
import { adminRequest } from '../support/admin-tokens.js';
import { basicAuthorization, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource } from '../support/test-environment.js';

/** What `npm start` seeds must work as the README says: tokens for each demo client, the CLI's admin client. */
describe('demo data', () => {
  let server: TestAuthServer;
  let credentials: DemoCredentials;

  beforeAll(async () => {
    server = await startTestAuthServer();
    credentials = await seedDemoData(
      server.prisma,
      await createPasswordHasher(server.config.argon2),
      server.config.clientSecretPepper,
    );
  }, 30_000);
  afterAll(async () => server?.close());

  const client = (id: string) => {
    const found = credentials.clients.find((candidate) => candidate.clientId === id);
    if (!found) throw new Error(`demo client ${id} missing`);
    return { id: found.clientId, secret: found.clientSecret };
  };

  it('gives fresh random credentials to every user and client', () => {
    const secrets = [
      ...credentials.users.map((user) => user.password),
      ...credentials.clients.map((entry) => entry.clientSecret),
    ];
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(credentials.clients.map((entry) => entry.clientId)).toEqual([
      'demo-web',
      'demo-service',
      'demo-admin',
      'demo-resource-server',
    ]);
    expect(credentials.clients.filter((entry) => entry.introspection).map((entry) => entry.clientId)).toEqual(
      ['demo-resource-server'],
    );
  });

  it('lets demo-resource-server introspect a demo-service token, and no other demo client', async () => {
    const issued = await server.token(
      { grant_type: 'client_credentials', scope: 'items:read' },
      client('demo-service'),
    );
    const token = issued.body.access_token as string;
    const introspect = (caller: { id: string; secret: string }) =>
      fetch(`${server.url}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basicAuthorization(caller.id, caller.secret) },
        body: new URLSearchParams({ token }),
      });
    const answer = await introspect(client('demo-resource-server'));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      active: true,
      client_id: 'demo-service',
      scope: 'items:read',
    });
    for (const other of ['demo-web', 'demo-service', 'demo-admin']) {
      expect((await introspect(client(other))).status).toBe(401);
    }
  });

  it('lets alice log in through the first-party web app', async () => {
    const alice = credentials.users.find((user) => user.username === 'alice');
    const response = await server.token(
      { grant_type: 'password', username: 'alice', password: alice?.password ?? '', scope: 'items:read' },
      client('demo-web'),
    );
    expect(response.status).toBe(200);
    const { payload } = await server.verifyAccessToken(response.body.access_token as string);
    expect(payload.roles).toEqual(['admin']);
    // Her admin role carries admin:* too, but those only go into tokens for the admin API.
    expect(payload.permissions).toEqual([
      'items:delete',
      'items:delete:any',
      'items:read',
      'items:write',
      'items:write:any',
    ]);
  });

  it('gives demo-admin an admin API token carrying every admin permission through the admin role', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin', resource: server.config.admin.resource },
      client('demo-admin'),
    );
    expect(response.status).toBe(200);
    const token = response.body.access_token as string;
    const { payload } = await server.verifyAccessToken(token, server.config.admin.resource);
    expect(payload.permissions).toEqual([...ADMIN_PERMISSIONS].sort());
    const users = await adminRequest(server, '/users', token);
    expect(users.status).toBe(200);
    const body = (await users.json()) as { users: { username: string }[] };
    expect(body.users.map((user) => user.username).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('audiences a token asked for with scope=admin alone to the admin API, without a resource parameter', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin' },
      client('demo-admin'),
    );
    expect(response.status).toBe(200);
    const token = response.body.access_token as string;
    await expect(server.verifyAccessToken(token, server.config.admin.resource)).resolves.toBeDefined();
    expect((await adminRequest(server, '/keys', token)).status).toBe(200);
  });

  it('does not give demo-service the admin scope', async () => {
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin', resource: server.config.admin.resource },
      client('demo-service'),
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_scope');
    const items = await server.token(
      { grant_type: 'client_credentials', scope: 'items:read', resource: testResource },
      client('demo-service'),
    );
    expect(items.status).toBe(200);
  });
});
