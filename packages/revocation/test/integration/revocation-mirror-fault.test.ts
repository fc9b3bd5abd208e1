import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { RevocationSubject } from '@portcullis/guard';
import type { Redis } from 'ioredis';
import { freePort } from '../../../../test/support/service-process.js';
import { createRedisClient, publishRevocation, seedRevocations } from '../../src/redis-revocation-store.js';
import type { RevocationEntry } from '../../src/revocation-entry.js';
import { createRevocationMirror, type RevocationMirror } from '../../src/revocation-mirror.js';
import { RevocationMirrorStaleError } from '../../src/revocation-mirror-stale-error.js';
import { uniqueLayout, waitFor } from '../support/redis-fixtures.js';

const MAX_STALENESS_MS = 300;
/** Every isRevoked call must return (or throw) within this: it never touches the network. */
const CALL_BOUND_MS = 50;

let server: ChildProcess | undefined;
const clients: Redis[] = [];
let mirror: RevocationMirror | undefined;

afterAll(async () => {
  await mirror?.stop();
  for (const client of clients) client.disconnect();
  await stopRedis();
});

/** A throwaway redis-server that keeps nothing on disk, so a restart comes back empty. */
async function startRedis(port: number): Promise<void> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

async function stopRedis(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

function client(url: string): Redis {
  const created = createRedisClient(url, { commandTimeoutMs: 200, connectTimeoutMs: 500 });
  created.on('error', () => undefined); // reconnect attempts while the server is down are expected
  clients.push(created);
  return created;
}

/** Calls isRevoked and checks it returned within the bound; the outcome is the answer or the error. */
function timedCheck(subject: RevocationSubject): boolean | Error {
  const started = performance.now();
  let outcome: boolean | Error;
  try {
    outcome = mirror!.isRevoked(subject) as boolean;
  } catch (error) {
    outcome = error as Error;
  }
  expect(performance.now() - started).toBeLessThan(CALL_BOUND_MS);
  return outcome;
}

const revokedToken: RevocationSubject = {
  tokenId: 'jti-revoked',
  grantId: undefined,
  subject: 'user-1',
  clientId: 'client-1',
  keyId: 'kid-1',
  issuedAt: Math.floor(Date.now() / 1000),
};
const goodToken: RevocationSubject = { ...revokedToken, tokenId: 'jti-good' };

describe('revocation mirror when Redis dies and comes back empty', () => {
  it('serves from memory for maxStalenessMs, then fails closed, then recovers once an auth server reseeds Redis', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    await startRedis(port);
    const layout = uniqueLayout();
    const now = Date.now();
    const revocation: RevocationEntry = {
      kind: 'jti',
      value: 'jti-revoked',
      revokedAt: now,
      expiresAt: now + 600_000,
    };
    // The system of record: what the auth server's PostgreSQL holds, and seeds Redis from.
    const recorded: RevocationEntry[] = [];
    const publisher = client(url);
    await publisher.connect();
    await seedRevocations(publisher, recorded, layout);
    mirror = createRevocationMirror({
      redis: client(url),
      subscriber: client(url),
      ...layout,
      reconcileIntervalMs: 50,
      maxStalenessMs: MAX_STALENESS_MS,
      loadTimeoutMs: 500,
    });
    await mirror.start();
    recorded.push(revocation);
    await publishRevocation(publisher, revocation, layout);
    await waitFor(() => timedCheck(revokedToken) === true, 5000, 'the revocation to arrive');
    expect(timedCheck(goodToken)).toBe(false);

    // Redis dies.
    const killedAt = performance.now();
    await stopRedis();
    const first = timedCheck(goodToken);
    if (performance.now() - killedAt < MAX_STALENESS_MS / 2) expect(first).toBe(false);
    await waitFor(() => timedCheck(goodToken) instanceof Error, 5000, 'the mirror to go stale');
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(MAX_STALENESS_MS - 50);
    const stale = timedCheck(goodToken);
    expect(stale).toBeInstanceOf(RevocationMirrorStaleError);
    expect(stale).toMatchObject({ status: 503, code: 'ERR_GUARD_UNAVAILABLE', dependency: 'revocation' });
    expect((stale as RevocationMirrorStaleError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Known revoked is still refused, stale or not.
    expect(timedCheck(revokedToken)).toBe(true);
    expect(mirror.status()).toMatchObject({ fresh: false, subscribed: false });

    // Redis comes back empty: the mirror resubscribes, but an empty Redis is not a complete set, so it stays
    // closed (still refusing what it knows) until an auth server copies the records back.
    await startRedis(port);
    await waitFor(() => mirror!.status().subscribed, 10_000, 'the mirror to resubscribe');
    await mirror.reconcile();
    expect(mirror.status().fresh).toBe(false);
    expect(timedCheck(revokedToken)).toBe(true);
    await waitFor(() => publisher.status === 'ready', 10_000, 'the publisher to reconnect');
    await seedRevocations(publisher, recorded, layout);
    await waitFor(() => mirror!.status().fresh, 10_000, 'the mirror to recover');
    expect(timedCheck(revokedToken)).toBe(true);
    expect(timedCheck(goodToken)).toBe(false);
    expect(mirror.status()).toMatchObject({ fresh: true, subscribed: true, entries: 1 });

    // And the channel works again.
    await publishRevocation(publisher, { ...revocation, kind: 'user', value: 'user-1' }, layout);
    await waitFor(() => timedCheck(goodToken) === true, 5000, 'a revocation published after the restart');
  }, 30_000);
});
