import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type OwnPostgres, startOwnPostgres } from '../../../../test/support/own-postgres.js';
import { type ServiceProcess, startServiceProcess } from '../../../../test/support/service-process.js';
import type { DemoCredentials } from '../../src/seed/demo-data.js';
import { testEnvironment, testResource } from '../support/test-environment.js';
import { runCli, startAuthServerProcess } from './auth-server-process.js';

const resourceServerMain = fileURLToPath(new URL('../../../resource-server/dist/main.js', import.meta.url));

/** Every request here is aborted after this, so that a hang fails the request named, not the test's timeout. */
const REQUEST_BOUND_MS = 10_000;
/**
 * The timeouts the servers run with here (DATABASE_*_TIMEOUT_SECONDS). The defaults (5 s / 10 s) measured 11 s
 * for a token request with PostgreSQL paused: above OUTAGE_ANSWER_BOUND_MS, so the bound also proves that the
 * configured values reach the pool.
 */
const CONNECT_TIMEOUT_SECONDS = 1;
const QUERY_TIMEOUT_SECONDS = 2;
/**
 * A token request during an outage answers within this: "did not hang", generous for a loaded machine (measured:
 * ~20 ms with PostgreSQL killed, ~3 s paused — the query timeout plus the client's 1 s grace).
 */
const OUTAGE_ANSWER_BOUND_MS = 8000;
/** PostgreSQL back: the token endpoint must work again within this, without restarting a server. */
const RECOVERY_BOUND_MS = 15_000;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
  elapsedMs: number;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const startedAt = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') && text !== '';
  return {
    status: response.status,
    headers: response.headers,
    body: json ? JSON.parse(text) : text,
    text,
    elapsedMs: Date.now() - startedAt,
  };
}

/** What no client may ever read in an error: SQL, Prisma or driver wording, the connection string. */
const LEAK_PATTERN =
  /prisma|postgres|SELECT|INSERT|ECONNREFUSED|timeout|connection|database|\bpg\b|127\.0\.0\.1:\d+\//i;

/**
 * The built auth server and resource server as processes on a PostgreSQL of the test's own, which is killed
 * and, separately, paused (SIGSTOP: connections open, nothing answers). Meanwhile the token endpoint answers a
 * generic RFC 6749 error in bounded time, JWKS and discovery answer from memory, the resource server keeps
 * validating tokens issued before the outage, and both /readyz name postgres. Once PostgreSQL is back, tokens
 * are issued again without restarting anything. The shared PostgreSQL and Redis are never touched (Redis is
 * used under a key prefix of this file's own).
 */
describe('PostgreSQL unavailable', () => {
  let postgres: OwnPostgres;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  let credentials: DemoCredentials;
  let workDir: string;
  const layout = uniqueLayout();
  let serviceTokenBefore: string;
  let userTokenBefore: string;

  const basic = (clientId: string) => {
    const found = credentials.clients.find((client) => client.clientId === clientId);
    if (!found) throw new Error(`no demo client ${clientId}`);
    return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(found.clientSecret)}`).toString('base64')}`;
  };
  const tokenRequest = (clientId: string, parameters: Record<string, string>) =>
    request(`${auth.url}/token`, {
      method: 'POST',
      headers: { authorization: basic(clientId), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(parameters),
    });
  const serviceTokenRequest = () =>
    tokenRequest('demo-service', { grant_type: 'client_credentials', scope: 'items:read' });
  const passwordRequest = () => {
    const alice = credentials.users.find((user) => user.username === 'alice');
    if (!alice) throw new Error('no demo user alice');
    return tokenRequest('demo-web', {
      grant_type: 'password',
      username: 'alice',
      password: alice.password,
      scope: 'items:read',
    });
  };
  const accessToken = (answer: Answer) => {
    if (answer.status !== 200) throw new Error(`no token (${answer.status}): ${answer.text}`);
    return (answer.body as { access_token: string }).access_token;
  };
  const me = (token: string) =>
    request(`${resource.url}/me`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    workDir = mkdtempSync(join(tmpdir(), 'portcullis-postgres-outage-'));
    const env = testEnvironment(postgres.url, {
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_SECONDS),
      DATABASE_QUERY_TIMEOUT_SECONDS: String(QUERY_TIMEOUT_SECONDS),
      // With the authorization cache on, a client seen within its TTL (5 s by default) still gets a token
      // from memory until its entry expires; off here, every token request reaches PostgreSQL at once.
      AUTHORIZATION_CACHE_TTL_SECONDS: '0',
    });
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], env);
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    auth = await startAuthServerProcess(env);
    resource = await startServiceProcess('resource-server', resourceServerMain, {
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      ISSUER: auth.url,
      AUDIENCE: testResource,
      DATABASE_URL: postgres.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_SECONDS),
      DATABASE_QUERY_TIMEOUT_SECONDS: String(QUERY_TIMEOUT_SECONDS),
    });
    serviceTokenBefore = accessToken(await serviceTokenRequest());
    userTokenBefore = accessToken(await passwordRequest());
    expect((await me(serviceTokenBefore)).status).toBe(200);
    expect((await me(userTokenBefore)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    postgres?.resume(); // a test that failed mid-pause must not leave the shutdowns waiting on it
    await Promise.all([resource?.stop(), auth?.stop()]);
    await postgres?.close();
    const redis = await connectedClient();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  /** Everything that must hold while PostgreSQL is gone, whichever way it went. */
  async function expectDegradedButServing(): Promise<void> {
    for (const answer of [await serviceTokenRequest(), await passwordRequest()]) {
      expect(answer.elapsedMs).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(['server_error', 'temporarily_unavailable']).toContain(
        (answer.body as { error?: string }).error,
      );
      expect(answer.text).not.toMatch(LEAK_PATTERN);
    }

    const jwks = await request(`${auth.url}/jwks`);
    expect(jwks.status).toBe(200);
    expect((jwks.body as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    const discovery = await request(`${auth.url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body).toMatchObject({ issuer: auth.url, jwks_uri: `${auth.url}/jwks` });

    for (const token of [serviceTokenBefore, userTokenBefore]) {
      const answer = await me(token);
      expect(answer.status).toBe(200);
    }

    for (const server of [auth, resource]) {
      const ready = await request(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { postgres: 'unavailable' } });
    }
  }

  /** Polls until both grants issue tokens again; the servers were not restarted. */
  async function expectRecovered(): Promise<void> {
    const deadline = Date.now() + RECOVERY_BOUND_MS;
    for (;;) {
      const [service, user] = [await serviceTokenRequest(), await passwordRequest()];
      if (service.status === 200 && user.status === 200) {
        expect((await me(accessToken(service))).status).toBe(200);
        expect((await me(accessToken(user))).status).toBe(200);
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `still no tokens ${RECOVERY_BOUND_MS} ms after PostgreSQL came back: ${service.text}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const server of [auth, resource]) {
      expect((await request(`${server.url}/readyz`)).body).toMatchObject({ checks: { postgres: 'ok' } });
    }
  }

  it('killed: generic errors fast, keys and validation from memory, then tokens again once restarted', async () => {
    await postgres.kill();
    try {
      await expectDegradedButServing();
    } finally {
      await postgres.start();
    }
    await expectRecovered();
  }, 60_000);

  it('hung (SIGSTOP): the same, each request bounded by the database timeouts, then tokens again once resumed', async () => {
    postgres.pause();
    try {
      await expectDegradedButServing();
    } finally {
      postgres.resume();
    }
    await expectRecovered();
  }, 60_000);
});
