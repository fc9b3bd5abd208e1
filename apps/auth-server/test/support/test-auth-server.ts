import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrismaClient, type PrismaClient, upsertClient, upsertRole, upsertUser } from '@portcullis/db';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { freePort } from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { type AuthServerConfig, loadConfig } from '../../src/config.js';
import { type Container, createContainer } from '../../src/container.js';
import { hashClientSecret } from '../../src/credentials/client-secret.js';
import { createPasswordHasher } from '../../src/credentials/password-hasher.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { testEnvironment, testResource } from './test-environment.js';

export interface TestAuthServer {
  url: string;
  /** The admin listener (separate port). */
  adminUrl: string;
  config: AuthServerConfig;
  container: Container;
  prisma: PrismaClient;
  /** POST /token as a form, with optional HTTP Basic client authentication. */
  token(params: Record<string, string>, basic?: { id: string; secret: string }): Promise<TokenResponse>;
  jwks(): Promise<JSONWebKeySet>;
  verifyAccessToken(token: string, audience?: string): ReturnType<typeof jwtVerify>;
  addUser(spec: {
    username: string;
    password: string;
    roles?: string[];
    permissions?: string[];
    disabled?: boolean;
  }): Promise<string>;
  addClient(spec: {
    id: string;
    secret: string;
    grantTypes: string[];
    scopes: string[];
    firstParty?: boolean;
    tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
    roles?: string[];
    permissions?: string[];
    disabled?: boolean;
  }): Promise<void>;
  /** Stops answering HTTP (an outage) but keeps the database for the rest of the test. */
  stopListening(): Promise<void>;
  close(): Promise<void>;
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export function basicAuthorization(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part before base64.
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * A real auth server on an ephemeral loopback port, with its own database, driven over real HTTP. Silent,
 * unless given a logger to read what it logs. With `sameDeploymentAs`, a second instance of that server's
 * deployment (as behind a load balancer): same database, issuer and secrets; the first one drops the database.
 */
export async function startTestAuthServer(
  overrides: Record<string, string> = {},
  {
    logger = createLogger('silent'),
    sameDeploymentAs,
  }: { logger?: Logger; sameDeploymentAs?: TestAuthServer } = {},
): Promise<TestAuthServer> {
  const database: TestDatabase = sameDeploymentAs
    ? { url: sameDeploymentAs.config.databaseUrl, drop: async () => {} }
    : await createTestDatabase();
  // The issuer is where it listens: the server writes every URL (discovery) from ISSUER, not from Host.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const shared = sameDeploymentAs && {
    ISSUER: sameDeploymentAs.config.issuer,
    KEY_ENCRYPTION_KEY: sameDeploymentAs.config.keyEncryptionKey.toString('base64url'),
    CLIENT_SECRET_PEPPER: sameDeploymentAs.config.clientSecretPepper.toString('base64url'),
    API_KEY_HASH_KEY: sameDeploymentAs.config.apiKeyHashKey.toString('base64url'),
  };
  const config = loadConfig(testEnvironment(database.url, { ISSUER: url, ...shared, ...overrides }));
  const container = await createContainer(config, logger);
  const server: Server = createServer(container.providerHost.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const adminServer: Server = createServer(container.adminApp.callback());
  await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
  const adminUrl = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;
  const prisma = createPrismaClient({ databaseUrl: database.url, poolMax: 2 });
  const hasher = await createPasswordHasher(config.argon2);

  const stopListening = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const jwks = async () => (await (await fetch(`${url}/jwks`)).json()) as JSONWebKeySet;

  return {
    url,
    adminUrl,
    config,
    container,
    prisma,
    async token(params, basic) {
      const response = await fetch(`${url}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(basic ? { authorization: basicAuthorization(basic.id, basic.secret) } : {}),
        },
        body: new URLSearchParams(params),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Record<string, unknown>,
      };
    },
    jwks,
    async verifyAccessToken(token, audience = testResource) {
      return jwtVerify(token, createLocalJWKSet(await jwks()), {
        issuer: config.issuer,
        audience,
        algorithms: ['ES256'],
        typ: 'at+jwt',
      });
    },
    // Written behind the admin API's back: announced like an admin change, so no cached record outlives it.
    async addUser({ password, ...spec }) {
      const id = await upsertUser(prisma, { ...spec, passwordHash: await hasher.hash(password) });
      await container.announceAuthorizationChange({ kind: 'user', id });
      return id;
    },
    async addClient({ secret, ...spec }) {
      await upsertClient(prisma, {
        ...spec,
        secretHash: hashClientSecret(secret, config.clientSecretPepper),
      });
      await container.announceAuthorizationChange({ kind: 'client', id: spec.id });
    },
    stopListening,
    async close() {
      await stopListening();
      adminServer.closeAllConnections();
      await new Promise<void>((resolve) => adminServer.close(() => resolve()));
      await container.close();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

/** The demo authorization model, for tests that need roles. */
export async function addStandardRoles(prisma: PrismaClient): Promise<void> {
  await upsertRole(prisma, { name: 'admin', permissions: ['items:read', 'items:write', 'items:delete'] });
  await upsertRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
  await upsertRole(prisma, { name: 'viewer', permissions: ['items:read'] });
}
