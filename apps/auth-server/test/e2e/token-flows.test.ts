import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../src/seed/demo-data.js';
import { testEnvironment, testResource } from '../support/test-environment.js';
import { type AuthServerProcess, runCli, startAuthServerProcess } from './auth-server-process.js';

/**
 * The built auth server as a real process, seeded by the real seed command, driven by a real OAuth client
 * library (oauth4webapi) from discovery onwards; every access token is verified against the published JWKS.
 */
describe('auth-server end to end', () => {
  let database: TestDatabase;
  let server: AuthServerProcess;
  let credentials: DemoCredentials;
  let authorizationServer: oauth.AuthorizationServer;
  let workDir: string;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
    const env = testEnvironment(database.url);
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], env);
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    server = await startAuthServerProcess(env);

    const issuer = new URL(server.url);
    authorizationServer = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const client = (id: string) => {
    const found = credentials.clients.find((candidate) => candidate.clientId === id);
    if (!found) throw new Error(`no demo client ${id}`);
    return { client: { client_id: found.clientId }, auth: oauth.ClientSecretBasic(found.clientSecret) };
  };
  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(authorizationServer.jwks_uri!)), {
      issuer: authorizationServer.issuer,
      audience: testResource,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });

  it('discovers the server', () => {
    expect(authorizationServer.issuer).toBe(server.url);
    expect(authorizationServer.grant_types_supported).toEqual(
      expect.arrayContaining(['password', 'client_credentials', 'refresh_token']),
    );
  });

  it('gets a client_credentials token for the demo service', async () => {
    const { client: service, auth } = client('demo-service');
    const response = await oauth.clientCredentialsGrantRequest(
      authorizationServer,
      service,
      auth,
      new URLSearchParams({ scope: 'items:read' }),
      insecure,
    );
    const result = await oauth.processClientCredentialsResponse(authorizationServer, service, response);
    const { payload, protectedHeader } = await verify(result.access_token);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: 'demo-service',
      client_id: 'demo-service',
      scope: 'items:read',
      roles: ['editor'],
    });
  });

  it('logs a demo user in with the password grant, then refreshes with rotation', async () => {
    const { client: web, auth } = client('demo-web');
    const alice = credentials.users.find((user) => user.username === 'alice')!;
    const login = await oauth.processGenericTokenEndpointResponse(
      authorizationServer,
      web,
      await oauth.genericTokenEndpointRequest(
        authorizationServer,
        web,
        auth,
        'password',
        new URLSearchParams({
          username: alice.username,
          password: alice.password,
          scope: 'items:read items:delete',
        }),
        insecure,
      ),
    );
    const first = await verify(login.access_token);
    expect(first.payload).toMatchObject({ roles: ['admin'], scope: 'items:read items:delete' });
    expect(first.payload.permissions).toEqual([
      'items:delete',
      'items:delete:any',
      'items:read',
      'items:write',
      'items:write:any',
    ]);
    expect(login.refresh_token).toBeDefined();

    const refreshed = await oauth.processRefreshTokenResponse(
      authorizationServer,
      web,
      await oauth.refreshTokenGrantRequest(authorizationServer, web, auth, login.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    const second = await verify(refreshed.access_token);
    expect(second.payload.sub).toBe(first.payload.sub);
    expect(second.payload.grant_id).toBe(first.payload.grant_id);
    expect(decodeProtectedHeader(refreshed.access_token).kid).toBe(
      decodeProtectedHeader(login.access_token).kid,
    );

    // The spent token is refused, and its reuse kills the grant (RFC 9700 §4.14.2).
    await expect(
      oauth.processRefreshTokenResponse(
        authorizationServer,
        web,
        await oauth.refreshTokenGrantRequest(authorizationServer, web, auth, login.refresh_token!, insecure),
      ),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong password with invalid_grant', async () => {
    const { client: web, auth } = client('demo-web');
    const response = await oauth.genericTokenEndpointRequest(
      authorizationServer,
      web,
      auth,
      'password',
      new URLSearchParams({ username: 'alice', password: 'not her password' }),
      insecure,
    );
    await expect(
      oauth.processGenericTokenEndpointResponse(authorizationServer, web, response),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('shuts down cleanly on SIGTERM', async () => {
    await server.stop();
    expect(server.child.exitCode).toBe(0);
  });
});
