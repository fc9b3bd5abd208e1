import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../src/seed/demo-data.js';
import { type AuthServerProcess, runCli, startAuthServerProcess } from '../e2e/auth-server-process.js';
import { testEnvironment } from '../support/test-environment.js';

/**
 * The black-box security suite's fixture: the BUILT auth server as a real process on its own database,
 * seeded by the real seed command, reached only over HTTP. Requests go through node:http rather than fetch:
 * fetch merges repeated headers, refuses header bytes outside Latin-1, fixes up bodies and content types, and
 * those are exactly the inputs under test here.
 */

export interface SecurityServer {
  server: AuthServerProcess;
  /** The test database, for a resource server started beside it. */
  databaseUrl: string;
  /** The admin listener (ADMIN_PORT=0: read from its "admin-api listening" log line). */
  adminUrl: string;
  credentials: DemoCredentials;
  /** Secret of a demo client, by id. */
  secretOf(clientId: string): string;
  /** Password of a demo user, by username. */
  passwordOf(username: string): string;
  stop(): Promise<void>;
}

/** Seeds a fresh database with the demo data and starts the built auth server on it. */
export async function startSecurityServer(overrides: Record<string, string> = {}): Promise<SecurityServer> {
  const database: TestDatabase = await createTestDatabase();
  const workDir = mkdtempSync(join(tmpdir(), 'portcullis-security-'));
  let server: AuthServerProcess | undefined;
  try {
    // Any free port for the metrics listener: several servers run side by side in one test run.
    const env = testEnvironment(database.url, { METRICS_PORT: '0', ...overrides });
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], env);
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    server = await startAuthServerProcess(env);
    const started = server;
    const adminPort = await adminListenerPort(started);
    return {
      server: started,
      databaseUrl: database.url,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      credentials,
      secretOf(clientId) {
        const client = credentials.clients.find((candidate) => candidate.clientId === clientId);
        if (!client) throw new Error(`no demo client ${clientId}`);
        return client.clientSecret;
      },
      passwordOf(username) {
        const user = credentials.users.find((candidate) => candidate.username === username);
        if (!user) throw new Error(`no demo user ${username}`);
        return user.password;
      },
      async stop() {
        // A server that died under a test is a finding (a crash is a denial of service): say so, with its log.
        const died = started.child.exitCode !== null || started.child.signalCode !== null;
        await started.stop();
        await database.drop();
        rmSync(workDir, { recursive: true, force: true });
        if (died) throw new Error(`the auth server died during the tests:\n${started.output()}`);
      },
    };
  } catch (error) {
    await server?.stop();
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The admin listener's port from its "admin-api listening" line. The process is reported started at the
 * public listener's line; the admin one follows it, so wait for it (bounded).
 */
async function adminListenerPort(server: AuthServerProcess): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const port = /"port":(\d+)[^\n]*"msg":"admin-api listening"/.exec(server.output())?.[1];
    if (port) return port;
    if (Date.now() > deadline) throw new Error(`no admin-api listening line:\n${server.output()}`);
    await sleep(20);
  }
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface RawRequest {
  method?: string;
  /** Header lines sent as given, in order; an array value is sent as that many lines. */
  headers?: Record<string, string | string[]>;
  /** Sent as is; with `chunked`, as several chunks without a Content-Length. */
  body?: string | Buffer;
  chunked?: boolean;
  /** The loopback address to send from (127.0.0.0/8): another "client address" for per-address limits. */
  localAddress?: string;
}

/** One HTTP/1.1 request with full control over header lines and body bytes; never reuses a connection. */
export function rawRequest(baseUrl: string, path: string, options: RawRequest = {}): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  // A test may send its own Host (header injection); Node would keep the first of two Host lines.
  const lines = options.headers?.host === undefined ? ['host', url.host] : [];
  lines.push('connection', 'close');
  for (const [name, values] of Object.entries(options.headers ?? {})) {
    for (const value of Array.isArray(values) ? values : [values]) lines.push(name, value);
  }
  if (body && !options.chunked) lines.push('content-length', String(body.length));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        // The path exactly as written: new URL() would normalise percent-encodings and case.
        path,
        method: options.method ?? 'POST',
        headers: lines,
        localAddress: options.localAddress,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      },
    );
    // A server may answer (413) and close before the whole body is written: the answer is what counts.
    outgoing.on('error', reject);
    if (body && options.chunked) {
      const size = Math.max(1, Math.ceil(body.length / 4));
      for (let offset = 0; offset < body.length; offset += size) {
        outgoing.write(body.subarray(offset, offset + size));
      }
    } else if (body) {
      outgoing.write(body);
    }
    outgoing.end();
  });
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1). */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * Calls the admin API (the separate listener) as demo-admin, for test set-up through the product's own
 * interface: creating throwaway clients, disabling users. Throws unless the answer is a 2xx.
 */
export async function adminCall(
  fixture: SecurityServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const token = await postForm(
    fixture.server.url,
    '/token',
    { grant_type: 'client_credentials', scope: 'admin' },
    { authorization: basic('demo-admin', fixture.secretOf('demo-admin')) },
  );
  if (token.status !== 200) throw new Error(`admin token refused: ${token.text}`);
  const response = await fetch(`${fixture.adminUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token.json?.access_token as string}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path} answered ${response.status}: ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** A new confidential client through the admin API; resolves to its secret. */
export async function createClient(
  fixture: SecurityServer,
  client: {
    id: string;
    grantTypes: string[];
    scopes: string[];
    firstParty?: boolean;
    introspection?: boolean;
  },
): Promise<string> {
  const created = await adminCall(fixture, 'POST', '/clients', client);
  return created.clientSecret as string;
}

/** Disables a demo user by username through the admin API. */
export async function disableUser(fixture: SecurityServer, username: string): Promise<void> {
  const found = await adminCall(fixture, 'GET', `/users?q=${encodeURIComponent(username)}`);
  const user = (found.users as { id: string; username: string }[]).find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  await adminCall(fixture, 'PATCH', `/users/${user.id}`, { disabled: true });
}

/** A form body from ordered pairs, so a name may repeat. */
export function form(pairs: [string, string][]): string {
  return pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
}

export const FORM = 'application/x-www-form-urlencoded';

/** POST a form to one of the token endpoints, optionally with HTTP Basic client authentication. */
export function postForm(
  baseUrl: string,
  path: string,
  pairs: [string, string][] | Record<string, string>,
  options: { authorization?: string; localAddress?: string } = {},
): Promise<RawAnswer> {
  return rawRequest(baseUrl, path, {
    headers: {
      'content-type': FORM,
      ...(options.authorization ? { authorization: options.authorization } : {}),
    },
    body: form(Array.isArray(pairs) ? pairs : Object.entries(pairs)),
    localAddress: options.localAddress,
  });
}

/**
 * What no error body may carry (DESIGN.md "Errors": no stack trace, SQL, Prisma code or token reaches a
 * client; OWASP ASVS 7.4.1 / OWASP Top 10 A05 "verbose errors"): plus whatever secrets the test submitted.
 */
export function expectNoInternals(text: string, submitted: string[] = []): void {
  expect(text).not.toMatch(/\bat [^\n()]+ \([^)]*:\d+:\d+\)|\bat (?:file:\/\/|node:|\/)\S*:\d+:\d+/); // stack frames
  expect(text).not.toMatch(/\.(?:js|ts|mjs|cjs):\d+/); // file:line
  expect(text).not.toMatch(/\/(?:work|home|usr|app|src|dist|node_modules)\//); // file paths
  expect(text).not.toMatch(/prisma|postgres|ECONNREFUSED|redis/i);
  expect(text).not.toMatch(/\bP\d{4}\b/); // Prisma error codes (P2002...)
  expect(text).not.toMatch(/\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(?:FROM|INTO|SET|WHERE)\b/);
  expect(text).not.toMatch(/\b(?:TypeError|ReferenceError|SyntaxError|RangeError)\b/);
  for (const secret of submitted) {
    if (secret.length >= 6) expect(text).not.toContain(secret);
  }
}

/**
 * An RFC 6749 §5.2 error answer: the status, a JSON body with that `error` code (and only the RFC's
 * members), nothing internal, and — from the token endpoint, whose answers may carry tokens (RFC 6749 §5.1) —
 * `Cache-Control: no-store`. RFC 7009 revocation answers never carry a token: pass `noStore: false`.
 */
export function expectOAuthError(
  answer: RawAnswer,
  status: number,
  error: string,
  submitted: string[] = [],
  { noStore = true }: { noStore?: boolean } = {},
): void {
  expect({ status: answer.status, error: answer.json?.error }).toEqual({ status, error });
  expect(answer.headers['content-type']).toMatch(/^application\/json\b/);
  for (const member of Object.keys(answer.json ?? {})) {
    expect(['error', 'error_description', 'error_uri', 'scope']).toContain(member);
  }
  if (noStore) expect(answer.headers['cache-control']).toBe('no-store');
  expectNoInternals(answer.text, submitted);
}

/**
 * OWASP ASVS 7.1.1 / DESIGN.md: the server's log (everything the process wrote) holds none of the secrets a
 * test submitted — passwords, client secrets, tokens — not even in the URL of an access-log line.
 */
export function expectLogFreeOf(fixture: SecurityServer, secrets: string[]): void {
  const log = fixture.server.output();
  expect(log).toContain('"msg":"auth-server listening"');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(6);
    expect(log).not.toContain(secret);
  }
}

/** The headers' values as one string per name, for comparing two answers apart from volatile ones. */
export function stableHeaders(answer: RawAnswer, volatile: string[] = []): Record<string, string> {
  const skip = new Set(['date', 'x-request-id', 'ratelimit', ...volatile]);
  return Object.fromEntries(
    Object.entries(answer.headers)
      .filter(([name]) => !skip.has(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}
