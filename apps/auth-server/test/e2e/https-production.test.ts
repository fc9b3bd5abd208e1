import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import {
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../src/seed/demo-data.js';
import { testEnvironment, testResource } from '../support/test-environment.js';
import { runCli } from './auth-server-process.js';

const authServerMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const resourceServerMain = fileURLToPath(new URL('../../../resource-server/dist/main.js', import.meta.url));

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Production mode as a user runs it without a proxy: both servers serve https themselves from
 * TLS_CERT_FILE/TLS_KEY_FILE, the resource server trusts the auth server's certificate through
 * NODE_EXTRA_CA_CERTS, and misconfigurations stop the start with one line naming the variable.
 */
describe('production over https', () => {
  let database: TestDatabase;
  let workDir: string;
  let certFile: string;
  let keyFile: string;
  let ca: Buffer;
  let authServer: ServiceProcess;
  let resourceServer: ServiceProcess;
  let credentials: DemoCredentials;
  let productionEnv: Record<string, string>;
  const redisPrefix = `portcullis-https-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'portcullis-https-'));
    certFile = join(workDir, 'cert.pem');
    keyFile = join(workDir, 'key.pem');
    selfSignedCertificate(certFile, keyFile);
    ca = readFileSync(certFile);

    // The demo seed runs in development mode only; the production server then serves the same database.
    const developmentEnv = testEnvironment(database.url);
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], developmentEnv);
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;

    const authPort = await freePort();
    productionEnv = {
      ...developmentEnv, // the same secrets: the seed stored client secrets under this pepper
      PORTCULLIS_MODE: 'production',
      ISSUER: `https://localhost:${authPort}`,
      ADMIN_PORT: '0',
      REDIS_URL: REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
    };
    authServer = await startServiceProcess('auth-server', authServerMain, productionEnv, authPort);
    resourceServer = await startServiceProcess('resource-server', resourceServerMain, {
      PORTCULLIS_MODE: 'production',
      HOST: '127.0.0.1',
      ISSUER: `https://localhost:${authPort}`,
      AUDIENCE: testResource,
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
      // How a user trusts a private CA for the JWKS fetch: Node's own variable, no code of ours.
      NODE_EXTRA_CA_CERTS: certFile,
    });
  }, 90_000);

  afterAll(async () => {
    await resourceServer?.stop();
    await authServer?.stop();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
    const redis = await connectedClient();
    await deleteKeys(redis, redisPrefix);
    redis.disconnect();
  });

  const httpsCall = (
    port: number,
    path: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<HttpsAnswer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port,
          path,
          ca,
          method: options.method ?? 'GET',
          headers: { host: `localhost:${port}` },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
      req.on('error', reject);
      req.end(options.body);
    });

  async function serviceToken(): Promise<string> {
    const service = credentials.clients.find((client) => client.clientId === 'demo-service')!;
    const answer = await httpsCall(authServer.port, '/token', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${service.clientId}:${service.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'items:read' }).toString(),
    });
    expect(answer.status).toBe(200);
    // RFC 6749 §5.1: token responses are never cached; HSTS because this answer came over https.
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    return (JSON.parse(answer.body) as { access_token: string }).access_token;
  }

  it('publishes https metadata, with HSTS, from the https listener', async () => {
    const answer = await httpsCall(authServer.port, '/.well-known/oauth-authorization-server');
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    const metadata = JSON.parse(answer.body) as { issuer: string; token_endpoint: string; jwks_uri: string };
    expect(metadata.issuer).toBe(`https://localhost:${authServer.port}`);
    expect(metadata.token_endpoint).toMatch(/^https:\/\/localhost:\d+\/token$/);
    expect(metadata.jwks_uri).toMatch(/^https:\/\//);
  });

  it('issues a token over https that the https resource server accepts', async () => {
    const token = await serviceToken();
    const answer = await httpsCall(resourceServer.port, '/items', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('does not answer plain http on the https port', async () => {
    await expect(fetch(`http://127.0.0.1:${authServer.port}/healthz`)).rejects.toThrow();
  });

  it.each([
    [
      'a development secret',
      () => ({
        KEY_ENCRYPTION_KEY: Buffer.concat([Buffer.from('portcullis-dev:'), randomBytes(17)]).toString(
          'base64url',
        ),
      }),
      /^invalid configuration:\n {2}- KEY_ENCRYPTION_KEY: is a development secret made by `npm start`/,
    ],
    ['an http issuer', () => ({ ISSUER: 'http://auth.example.com' }), /- ISSUER: must be an https URL/],
    ['no key-encryption key', () => ({ KEY_ENCRYPTION_KEY: '' }), /- KEY_ENCRYPTION_KEY: /],
    [
      'an unreadable certificate',
      () => ({ TLS_CERT_FILE: join(workDir, 'missing.pem') }),
      /^TLS_CERT_FILE: cannot read .*missing\.pem \(ENOENT\)$/,
    ],
    [
      'a key that does not match the certificate',
      () => ({ TLS_KEY_FILE: otherKey(workDir) }),
      /^TLS_CERT_FILE, TLS_KEY_FILE: not a usable certificate and matching private key/,
    ],
  ])('refuses to start in production with %s, in one clear message', async (_case, change, message) => {
    const { code, stderr } = await runToExit(authServerMain, { ...productionEnv, PORT: '0', ...change() });
    expect(code).toBe(1);
    // oidc-provider prints an "Unsupported runtime" warning on Node 20 first (STACK-NOTES); ours is the rest.
    const ours = stderr.replace(/^oidc-provider WARNING: .*\n/m, '').trim();
    expect(ours).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

/** A self-signed P-256 certificate for localhost and 127.0.0.1, valid one day. */
function selfSignedCertificate(certFile: string, keyFile: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
}

function otherKey(workDir: string): string {
  const file = join(workDir, 'other-key.pem');
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file], {
    stdio: 'ignore',
  });
  return file;
}

async function runToExit(
  mainJs: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [mainJs], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}
