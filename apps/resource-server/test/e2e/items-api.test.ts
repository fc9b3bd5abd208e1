import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oauth from 'oauth4webapi';
import { type ServiceProcess, startServiceProcess } from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../../auth-server/src/seed/demo-data.js';
import { runCli, startAuthServerProcess } from '../../../auth-server/test/e2e/auth-server-process.js';
import { testEnvironment, testResource } from '../../../auth-server/test/support/test-environment.js';

const resourceServerMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * The README's walk-through with real processes: the built auth server seeded by its seed command, the built
 * resource server finding the keys through discovery, tokens from every grant obtained by a real OAuth client
 * (oauth4webapi) and used against the items API with fetch.
 */
describe('items API end to end', () => {
  let database: TestDatabase;
  let workDir: string;
  let authServer: ServiceProcess;
  let api: ServiceProcess;
  let credentials: DemoCredentials;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'portcullis-items-e2e-'));
    const env = testEnvironment(database.url);
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], env);
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    authServer = await startAuthServerProcess(env);
    api = await startServiceProcess('resource-server', resourceServerMain, {
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      ISSUER: authServer.url,
      AUDIENCE: testResource,
      DATABASE_URL: database.url,
    });
    const issuer = new URL(authServer.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await authServer?.stop();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const demoClient = (id: string) => {
    const found = credentials.clients.find((client) => client.clientId === id)!;
    return { client: { client_id: found.clientId }, auth: oauth.ClientSecretBasic(found.clientSecret) };
  };
  const password = (username: string) =>
    credentials.users.find((user) => user.username === username)!.password;

  async function passwordGrant(username: string) {
    const { client, auth } = demoClient('demo-web');
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      auth,
      'password',
      new URLSearchParams({
        username,
        password: password(username),
        scope: 'items:read items:write items:delete',
      }),
      insecure,
    );
    return oauth.processGenericTokenEndpointResponse(as, client, response);
  }

  async function serviceToken() {
    const { client, auth } = demoClient('demo-service');
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      auth,
      new URLSearchParams({ scope: 'items:read items:write' }),
      insecure,
    );
    return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
  }

  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, {
      ...init,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  it('answers 401 without a token, naming the Bearer scheme', async () => {
    const response = await call('/items', undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="portcullis-items"');
  });

  it('lets the demo service create and list items with a client_credentials token, not delete them', async () => {
    const token = await serviceToken();
    const created = await call('/items', token, {
      method: 'POST',
      body: JSON.stringify({ name: 'from the service' }),
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; owner: string };
    expect(item.owner).toBe('demo-service');
    expect((await call('/items', token)).status).toBe(200);
    const denied = await call(`/items/${item.id}`, token, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope", ');
    expect(denied.headers.get('www-authenticate')).toContain('scope="items:delete"');
    expect(await (await call('/me', token)).json()).toMatchObject({
      kind: 'client',
      subject: 'demo-service',
    });
  });

  it('gives each demo user exactly what their role allows, with password-grant tokens', async () => {
    const alice = (await passwordGrant('alice')).access_token; // admin
    const bob = (await passwordGrant('bob')).access_token; // editor
    const carol = (await passwordGrant('carol')).access_token; // viewer

    const created = await call('/items', bob, { method: 'POST', body: JSON.stringify({ name: 'bob’s' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    expect((await call(`/items/${id}`, carol)).status).toBe(200);
    expect((await call('/items', carol, { method: 'POST', body: '{"name":"x"}' })).status).toBe(403);
    expect((await call(`/items/${id}`, bob, { method: 'DELETE' })).status).toBe(403);
    expect((await call('/items/statistics', bob)).status).toBe(403);
    expect((await call('/items/statistics', alice)).status).toBe(200);
    expect((await call(`/items/${id}`, alice, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/items/${id}`, alice)).status).toBe(404);
  });

  it('accepts the access token of a rotated refresh token', async () => {
    const first = await passwordGrant('bob');
    const { client, auth } = demoClient('demo-web');
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token!, insecure),
    );
    const response = await call('/me', refreshed.access_token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: 'user', clientId: 'demo-web', roles: ['editor'] });
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await api.stop()).toBe(0);
  });
});
