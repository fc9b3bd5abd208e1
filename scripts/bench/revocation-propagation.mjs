// @ts-check
// `npm run bench:revocation` (not a test): how long a revoked access token keeps working. Two auth servers
// and two resource servers run as real processes on loopback, sharing PostgreSQL and Redis; for each of
// --count tokens, both resource servers are polled while an admin revokes the token through one of the auth
// servers (alternating), and the time until each resource server first answers 401 is recorded.
//
//   npm run bench:revocation -- [--count 200] [--json results.json]
//
// Needs the build (the npm script runs it). Uses DATABASE_URL / REDIS_URL, else the local services, else
// embedded ones, exactly like `npm start`; it creates its own database and key prefix and removes both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applyMigrations } from '@portcullis/db';
import { Redis } from 'ioredis';
import { freePort } from '../dev/free-port.mjs';
import { ensureDatabase, withClient } from '../dev/postgres-client.mjs';
import { resolveServices } from '../dev/resolve-services.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resource = 'http://127.0.0.1/bench-items';
/** A poll never waits longer than this for one answer; a revocation never longer than this to show. */
const POLL_DEADLINE_MS = 10_000;
/** No single request may hang the benchmark. */
const REQUEST_TIMEOUT_MS = 5_000;

const { values: options } = parseArgs({
  options: { count: { type: 'string', default: '200' }, json: { type: 'string' } },
});
const count = Number(options.count);
if (!Number.isInteger(count) || count < 1 || count > 10_000) {
  throw new TypeError('--count must be an integer between 1 and 10000');
}

/** @type {{ stop: () => Promise<void> }[]} */
const cleanups = [];

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  cleanups.push({ stop: async () => rmSync(workDir, { recursive: true, force: true }) });
  const services = await resolveServices({ dataDir: join(root, '.data'), log: () => {} });
  cleanups.push(services);
  if (!services.redisUrl) throw new Error('no Redis found: set REDIS_URL or install redis-server');
  const redisUrl = services.redisUrl;
  const databaseName = `portcullis_bench_${process.pid}`;
  const databaseUrl = await ensureDatabase(services.databaseUrl, databaseName);
  cleanups.push({
    stop: () =>
      withClient(services.databaseUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(databaseName)} WITH (FORCE)`);
      }),
  });
  await applyMigrations({ connectionString: databaseUrl, log: () => {} });
  const keyPrefix = `portcullis-bench:${process.pid}:`;
  cleanups.push({ stop: () => deleteKeys(redisUrl, keyPrefix) });

  const authPorts = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${authPorts[0]}`;
  const authEnv = {
    PORTCULLIS_MODE: 'development',
    HOST: '127.0.0.1',
    ISSUER: issuer,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64url'),
    DEFAULT_RESOURCE: resource,
    SCOPES: 'items:read items:write items:delete',
    // The benchmark polls as fast as it can from one address: limits would measure themselves, not revocation.
    RATE_LIMIT_TOKEN_PER_IP: '1000000',
    RATE_LIMIT_TOKEN_PER_CLIENT: '1000000',
    // Four servers on one machine: each metrics listener takes any free port.
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const credentialsFile = join(workDir, 'credentials.json');
  await run('apps/auth-server/dist/cli/seed-demo-data.js', [credentialsFile], authEnv);
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));

  // Both auth servers answer for one issuer, as behind a load balancer; each has its own admin listener.
  const authServers = [];
  for (const port of authPorts) {
    const adminPort = await freePort();
    await startServer('auth-server', { ...authEnv, PORT: String(port), ADMIN_PORT: String(adminPort) }, port);
    authServers.push({ url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}` });
  }
  const resourceServers = [];
  for (let index = 0; index < 2; index += 1) {
    const port = await freePort();
    await startServer(
      'resource-server',
      {
        PORTCULLIS_MODE: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        ISSUER: issuer,
        AUDIENCE: resource,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: keyPrefix,
        RATE_LIMIT_PER_SUBJECT: '100000000',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      port,
    );
    resourceServers.push(`http://127.0.0.1:${port}`);
  }

  const client = (/** @type {string} */ id) =>
    credentials.clients.find((/** @type {any} */ c) => c.clientId === id);
  const adminToken = await clientCredentialsToken(issuer, client('demo-admin'), 'admin');
  const service = client('demo-service');

  /** @type {{ afterAck: number[], afterSend: number[] }[]} per resource server */
  const samples = resourceServers.map(() => ({ afterAck: [], afterSend: [] }));
  const bothAfterAck = [];
  for (let round = 0; round < count; round += 1) {
    const token = await clientCredentialsToken(issuer, service, 'items:read');
    for (const url of resourceServers) {
      const status = await statusOf(url, token);
      if (status !== 200) throw new Error(`a fresh token got ${status} from ${url}`);
    }
    const refused = resourceServers.map((url) => pollUntilRefused(url, token));
    const { admin } = /** @type {{ admin: string }} */ (authServers[round % authServers.length]);
    const sentAt = performance.now();
    const answer = await fetch(`${admin}/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'token', value: token, reason: 'benchmark' }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const ackAt = performance.now();
    if (answer.status !== 201)
      throw new Error(`revocation answered ${answer.status}: ${await answer.text()}`);
    const refusedAt = await Promise.all(refused);
    refusedAt.forEach((at, index) => {
      const sample = /** @type {{ afterAck: number[], afterSend: number[] }} */ (samples[index]);
      sample.afterAck.push(Math.max(0, at - ackAt));
      sample.afterSend.push(at - sentAt);
    });
    bothAfterAck.push(Math.max(0, Math.max(...refusedAt) - ackAt));
    if ((round + 1) % 50 === 0) process.stderr.write(`  ${round + 1}/${count} revoked\n`);
  }

  const rows = [
    ...samples.flatMap((sample, index) => [
      summarize(`resource server ${index + 1}, after the 201`, sample.afterAck),
      summarize(`resource server ${index + 1}, from the request`, sample.afterSend),
    ]),
    summarize('both refuse, after the 201', bothAfterAck),
  ];
  console.info(`\nRevocation propagation: ${count} tokens, 2 auth servers, 2 resource servers (ms)\n`);
  console.info(formatTable(rows));
  console.info(
    'The poll loop adds up to one request round trip of resolution (~0.5-1 ms on loopback). "after the 201"',
  );
  console.info('is 0 when a resource server already refused before the admin API answered.');
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ count, rows }, null, 2)}\n`);
}

/** A plain-text table, numbers right-aligned. @param {Record<string, string | number>[]} rows */
function formatTable(rows) {
  const columns = Object.keys(rows[0] ?? {});
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column])))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => String(line[index]).length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) =>
          index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

/** @param {string} label @param {number[]} values */
function summarize(label, values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (/** @type {number} */ value) => Math.round(value * 100) / 100;
  return { measure: label, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/** @param {string} issuerUrl @param {{ clientId: string, clientSecret: string }} credentials @param {string} scope */
async function clientCredentialsToken(issuerUrl, credentials, scope) {
  const answer = await fetch(`${issuerUrl}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = /** @type {{ access_token?: string }} */ (await answer.json());
  if (answer.status !== 200)
    throw new Error(`token endpoint answered ${answer.status}: ${JSON.stringify(body)}`);
  return String(body.access_token);
}

/** @param {string} url @param {string} token */
async function statusOf(url, token) {
  const answer = await fetch(`${url}/me`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** Polls back to back until the resource server answers 401; resolves with when it did. */
async function pollUntilRefused(/** @type {string} */ url, /** @type {string} */ token) {
  const deadline = performance.now() + POLL_DEADLINE_MS;
  while (performance.now() < deadline) {
    const status = await statusOf(url, token);
    if (status === 401) return performance.now();
    if (status !== 200) throw new Error(`${url} answered ${status} while polling`);
  }
  throw new Error(`${url} still accepted a revoked token after ${POLL_DEADLINE_MS} ms`);
}

/** @param {string} script @param {string[]} args @param {NodeJS.ProcessEnv} env */
async function run(script, args, env) {
  const child = spawn(process.execPath, [join(root, script), ...args], {
    env: { ...env, PATH: process.env.PATH },
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${output}`);
}

/** Starts a built app and waits for its /readyz. @param {string} app @param {NodeJS.ProcessEnv} env @param {number} port */
async function startServer(app, env, port) {
  const child = spawn(process.execPath, [join(root, `apps/${app}/dist/main.js`)], {
    env: { ...env, PATH: process.env.PATH },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push({
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${app} was not ready within 30 s`);
}

/** @param {string} url @param {string} keyPrefix */
async function deleteKeys(url, keyPrefix) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function stopAll() {
  for (const cleanup of cleanups.reverse()) await cleanup.stop().catch(() => {});
}

main()
  .then(stopAll)
  .catch(async (error) => {
    console.error(`bench:revocation failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exitCode = 1;
  });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => void stopAll().then(() => process.exit(130)));
}
