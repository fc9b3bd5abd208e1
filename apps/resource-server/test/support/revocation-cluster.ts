import { createRedisClient } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import {
  adminToken,
  callResource,
  clientCredentialsToken,
  demoClient,
  demoPassword,
  passwordLogin,
} from './cluster-http.js';
import {
  type AuthInstance,
  type Cluster,
  type ResourceInstance,
  startCluster,
} from './multi-instance-cluster.js';
import { expectStatusEverywhere, waitForStatusEverywhere } from './status-polling.js';

/** A short window so that tests see a mirror go stale; the reconcile interval must be shorter. */
export const STALENESS_SECONDS = 3;
/** A revocation reaches every resource server well within this (the goal is 1 s p99: bench:revocation). */
export const PROPAGATION_BOUND_MS = 5000;
/** Redis back (or answering again): the auth servers reseed it and every mirror is in sync within this. */
export const RECOVERY_BOUND_MS = 15_000;

/**
 * Two auth servers and two resource servers (processes) on a redis-server of the test's own, which the
 * test may flush, kill, restart or pause, with what revocation tests do over and over.
 */
export interface RevocationCluster {
  redis: OwnRedisServer;
  cluster: Cluster;
  authA: AuthInstance;
  authB: AuthInstance;
  resource: ResourceInstance[];
  /** An admin-API token with every admin permission (demo-admin). */
  admin: string;
  /** Every token revoked so far: no resource server may ever accept one again. */
  revoked: string[];
  /** A client_credentials token of demo-service (items:read) from this instance. */
  serviceToken(instance: AuthInstance): Promise<string>;
  /** A demo user's password login through demo-web at this instance. */
  webLogin(instance: AuthInstance, username: string): Promise<{ accessToken: string; refreshToken: string }>;
  /**
   * Waits until every server refuses the token with 401 (only `allowedBefore` answers meanwhile; once
   * refused, refused on every later poll), then adds it to `revoked`.
   */
  expectRefused(
    token: string,
    servers?: readonly ResourceInstance[],
    allowedBefore?: number[],
  ): Promise<void>;
  /** One request per server and revoked token: all 401. */
  expectAllRevokedRefused(servers?: readonly ResourceInstance[]): Promise<void>;
  /** GET /readyz of a resource server: its status and checks. */
  readiness(server: ResourceInstance): Promise<{ status: number; checks: unknown }>;
  /** A short-lived client of the test's redis-server (for FLUSHALL, or to look at keys). */
  withOwnRedis<T>(use: (client: Redis) => Promise<T>): Promise<T>;
  /** Stops everything, whatever state Redis was left in; never rejects. */
  close(): Promise<void>;
}

/**
 * Starts the test's own redis-server and the cluster on it, with resource servers whose mirror goes stale
 * after STALENESS_SECONDS and reconciles every second. If it fails half-way, what started is stopped.
 */
export async function startRevocationCluster(): Promise<RevocationCluster> {
  const redis = await ownRedisServer();
  let cluster: Cluster | undefined;
  const close = async () => {
    redis.resume(); // a test that failed mid-pause must not leave the shutdown waiting on it
    await cluster?.close();
    await redis.kill();
  };
  try {
    await redis.start();
    cluster = await startCluster({
      redisUrl: redis.url,
      resourceEnv: {
        REVOCATION_MAX_STALENESS_SECONDS: String(STALENESS_SECONDS),
        REVOCATION_RECONCILE_INTERVAL_SECONDS: '1',
        // The tests poll one subject hundreds of times a minute; limits have their own test file.
        RATE_LIMIT_PER_SUBJECT: '1000000',
      },
    });
    const started = cluster;
    const [authA, authB] = started.auth as [AuthInstance, AuthInstance];
    const resource = started.resource;
    const admin = await adminToken(authA, started.credentials);
    const revoked: string[] = [];

    return {
      redis,
      cluster: started,
      authA,
      authB,
      resource,
      admin,
      revoked,
      serviceToken: (instance) =>
        clientCredentialsToken(instance, demoClient(started.credentials, 'demo-service'), 'items:read'),
      webLogin: (instance, username) =>
        passwordLogin(
          instance,
          demoClient(started.credentials, 'demo-web'),
          username,
          demoPassword(started.credentials, username),
        ),
      async expectRefused(token, servers = resource, allowedBefore = [200]) {
        await waitForStatusEverywhere(servers, token, 401, {
          timeoutMs: PROPAGATION_BOUND_MS,
          allowedBefore,
        });
        revoked.push(token);
      },
      expectAllRevokedRefused: (servers = resource) => expectStatusEverywhere(servers, revoked, 401),
      async readiness(server) {
        const answer = await callResource(server, undefined, '/readyz');
        return { status: answer.status, checks: (answer.body as { checks?: unknown }).checks };
      },
      async withOwnRedis(use) {
        const client = createRedisClient(redis.url, { commandTimeoutMs: 2000 });
        client.on('error', () => undefined); // reported by the command that fails
        try {
          await client.connect();
          return await use(client);
        } finally {
          client.disconnect();
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
