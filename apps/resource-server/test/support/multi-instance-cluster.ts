import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oauth from 'oauth4webapi';
import {
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '../../../../test/support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import type { DemoCredentials } from '../../../auth-server/src/seed/demo-data.js';
import { runCli } from '../../../auth-server/test/e2e/auth-server-process.js';
import { testEnvironment, testResource } from '../../../auth-server/test/support/test-environment.js';

const authServerMain = fileURLToPath(new URL('../../../auth-server/dist/main.js', import.meta.url));
const resourceServerMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** oauth4webapi refuses http:// unless told: everything here is loopback. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** One built auth-server process: its public listener, its admin listener, and metadata pointing at it. */
export interface AuthInstance {
  name: string;
  url: string;
  adminUrl: string;
  /** The issuer's discovered metadata with the token and revocation endpoints of this instance. */
  as: oauth.AuthorizationServer;
  process: ServiceProcess;
}

/** One built resource-server process. */
export interface ResourceInstance {
  name: string;
  url: string;
  process: ServiceProcess;
}

export interface ClusterOptions {
  /** Every process's REDIS_URL: the test's own redis-server, never the shared one. */
  redisUrl: string;
  /** Added to (and overriding) every auth server's environment. */
  authEnv?: Record<string, string>;
  /** Added to (and overriding) every resource server's environment. */
  resourceEnv?: Record<string, string>;
  /** Default 2 each. */
  authServers?: number;
  resourceServers?: number;
}

/**
 * Auth servers and resource servers as separate built processes on loopback, sharing one database, one
 * Redis and one key prefix, as they run in production behind load balancers.
 */
export interface Cluster {
  database: TestDatabase;
  keyPrefix: string;
  /** The one issuer every auth server answers for (the first one's URL). */
  issuer: string;
  /** What `cli/seed-demo-data.js` wrote: the demo users' passwords and clients' secrets. */
  credentials: DemoCredentials;
  auth: AuthInstance[];
  resource: ResourceInstance[];
  /** Starts one more resource server with the cluster's environment (stopped by close() too). */
  startResourceServer(name: string): Promise<ResourceInstance>;
  /** Stops every process (bounded), drops the database and removes the work directory; never rejects. */
  close(): Promise<void>;
}

/** How long a process gets to exit on SIGTERM before it is killed. */
const STOP_BOUND_MS = 10_000;

/**
 * Seeds a fresh test database with the demo data (the built seed command), then starts the auth servers one
 * after the other — the first creates the signing key, the others load it — all answering for one ISSUER
 * (the first one's URL, as behind a load balancer), each with its own admin listener; then the resource
 * servers, which find the signing keys through the issuer's discovery. If anything fails to start, what
 * did start is stopped before the error is rethrown.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const processes: ServiceProcess[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'portcullis-multi-instance-'));
  let database: TestDatabase | undefined;
  const close = async () => {
    await Promise.all(processes.map((started) => stopProcess(started)));
    await database?.drop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    database = await createTestDatabase();
    const keyPrefix = `portcullis-e2e:${randomUUID()}:`;
    const authPorts: number[] = [];
    for (let index = 0; index < (options.authServers ?? 2); index += 1) authPorts.push(await freePort());
    const issuer = `http://127.0.0.1:${authPorts[0]}`;
    const shared = { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: keyPrefix };
    // One environment for all: the key-encryption key and the secret pepper must be the same everywhere.
    const authEnv = testEnvironment(database.url, { ...shared, ISSUER: issuer, ...options.authEnv });
    const credentialsFile = join(workDir, 'demo-credentials.json');
    await runCli('cli/seed-demo-data.js', [credentialsFile], authEnv);
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;

    const listening: Omit<AuthInstance, 'as'>[] = [];
    for (const [index, port] of authPorts.entries()) {
      const adminPort = await freePort();
      const started = await startServiceProcess(
        'auth-server',
        authServerMain,
        { ...authEnv, ADMIN_PORT: String(adminPort) },
        port,
      );
      processes.push(started);
      // "auth-server listening" comes first; the admin listener opens right after it.
      await waitForOutput(started, '"msg":"admin-api listening"');
      listening.push({
        name: `auth-${String.fromCharCode(65 + index)}`,
        url: started.url,
        adminUrl: `http://127.0.0.1:${adminPort}`,
        process: started,
      });
    }
    const discovered = await oauth.processDiscoveryResponse(
      new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), insecure),
    );
    // Discovery names the first instance's endpoints; each instance is reached at its own.
    const auth: AuthInstance[] = listening.map((instance) => ({
      ...instance,
      as: {
        ...discovered,
        token_endpoint: `${instance.url}/token`,
        revocation_endpoint: `${instance.url}/token/revocation`,
      },
    }));

    const resourceEnv = {
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      ISSUER: issuer,
      AUDIENCE: testResource,
      DATABASE_URL: database.url,
      ...shared,
      ...options.resourceEnv,
    };
    const startResourceServer = async (name: string): Promise<ResourceInstance> => {
      const started = await startServiceProcess('resource-server', resourceServerMain, resourceEnv);
      processes.push(started);
      return { name, url: started.url, process: started };
    };
    const resource: ResourceInstance[] = [];
    for (let index = 0; index < (options.resourceServers ?? 2); index += 1) {
      resource.push(await startResourceServer(`resource-${index + 1}`));
    }

    return {
      database,
      keyPrefix,
      issuer,
      credentials,
      auth,
      resource,
      startResourceServer,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * SIGTERM and wait for the exit, SIGKILL after STOP_BOUND_MS; resolves with the exit code (null when it
 * was killed or had died of a signal). Unlike ServiceProcess.stop, never waits for a process that is gone.
 */
export async function stopProcess(started: ServiceProcess): Promise<number | null> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const [code] = await Promise.race([
    exited,
    new Promise<[null]>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve([null]);
      }, STOP_BOUND_MS);
    }),
  ]);
  clearTimeout(timer);
  return code;
}

/** Resolves once the process has written `text`; rejects after 10 s or if it exits first. */
async function waitForOutput(started: ServiceProcess, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`exited before "${text}":\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" within 10 s:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
