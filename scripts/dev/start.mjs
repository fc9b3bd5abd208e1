// @ts-check
// `npm start`: development servers with demo data (DESIGN.md, "Running it"). Runs the built apps:
// the npm script builds first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@portcullis/db';
import { renderBanner } from './banner.mjs';
import { loadOrCreateDevSecrets } from './dev-secrets.mjs';
import { resolveServices } from './resolve-services.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = `${root}.data`;
const credentialsFile = `${dataDir}/demo-credentials.json`;
const authServerPort = process.env.PORT ?? '4000';
const issuer = process.env.ISSUER ?? `http://localhost:${authServerPort}`;
const resourceServerPort = process.env.RESOURCE_SERVER_PORT ?? '4001';
const resource = process.env.DEFAULT_RESOURCE ?? `http://localhost:${resourceServerPort}`;

/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
/** @type {(() => Promise<void>) | undefined} */
let stopServices;

/** @param {number} code */
async function shutdown(code) {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined,
    ),
  );
  await stopServices?.();
  process.exit(code);
}

/**
 * @param {string} script relative to the repository root
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<void>}
 */
function runToCompletion(script, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}${script}`, ...args], { env, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`)),
    );
  });
}

/** @param {string} url @param {number} timeoutMs */
async function waitUntilHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * Spawns a built app and waits for its /healthz; if it dies, everything stops.
 * @param {'auth-server' | 'resource-server'} app @param {NodeJS.ProcessEnv} env @param {string} port
 */
async function startServer(app, env, port) {
  const child = spawn(process.execPath, [`${root}apps/${app}/dist/main.js`], { env, stdio: 'inherit' });
  children.push(child);
  child.once('exit', (code) => {
    console.error(`${app} exited (${code}); stopping`);
    void shutdown(1);
  });
  await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`, 30_000);
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const services = await resolveServices({ dataDir });
  stopServices = services.stop;
  await applyMigrations({ connectionString: services.databaseUrl, log: (line) => console.info(line) });

  const secrets = loadOrCreateDevSecrets(`${dataDir}/dev-secrets.json`);
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    PORTCULLIS_MODE: 'development',
    HOST: '127.0.0.1',
    SCOPES: 'items:read items:write items:delete',
    // The demo shows every self-service flow; mail lands in the outbox table (npm run email:outbox).
    SELF_REGISTRATION_ENABLED: 'true',
    PASSWORD_RESET_ENABLED: 'true',
    ...secrets,
    ...process.env,
    PORT: authServerPort,
    ISSUER: issuer,
    DEFAULT_RESOURCE: resource,
    DATABASE_URL: services.databaseUrl,
    ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
  };
  await runToCompletion('apps/auth-server/dist/cli/seed-demo-data.js', [credentialsFile], env);

  await startServer('auth-server', env, authServerPort);
  // The resource server gets only what it needs: its own port, tokens audienced to it, and of the auth
  // secrets only the API-key hash key (it checks X-API-Key offline).
  await startServer(
    'resource-server',
    {
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      PATH: process.env.PATH,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      PORT: resourceServerPort,
      ISSUER: issuer,
      AUDIENCE: resource,
      DATABASE_URL: services.databaseUrl,
      API_KEY_HASH_KEY: process.env.API_KEY_HASH_KEY ?? secrets.API_KEY_HASH_KEY,
      // The revocation mirror's source; the same key prefix as the auth server's, whatever it is.
      ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
      ...(process.env.REDIS_KEY_PREFIX ? { REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX } : {}),
      // Its own metrics port (default 9465; the auth server's METRICS_PORT, default 9464, is not for it).
      ...(process.env.RESOURCE_SERVER_METRICS_PORT
        ? { METRICS_PORT: process.env.RESOURCE_SERVER_METRICS_PORT }
        : {}),
      ...(process.env.METRICS_HOST ? { METRICS_HOST: process.env.METRICS_HOST } : {}),
      ...(process.env.METRICS_ENABLED ? { METRICS_ENABLED: process.env.METRICS_ENABLED } : {}),
    },
    resourceServerPort,
  );

  const credentials = existsSync(credentialsFile)
    ? JSON.parse(readFileSync(credentialsFile, 'utf8'))
    : undefined;
  console.info(renderBanner({ issuer, resource, notes: services.notes, credentials }));
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
