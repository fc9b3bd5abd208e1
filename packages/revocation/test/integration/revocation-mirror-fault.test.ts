import { afterEach, describe, expect, it } from '@jest/globals';
import type { RevocationSubject } from '@portcullis/guard';
import type { Redis } from 'ioredis';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { createRedisClient, publishRevocation, seedRevocations } from '../../src/redis-revocation-store.js';
import type { RevocationEntry } from '../../src/revocation-entry.js';
import { createRevocationMirror, type RevocationMirror } from '../../src/revocation-mirror.js';
import { RevocationMirrorStaleError } from '../../src/revocation-mirror-stale-error.js';
import { uniqueLayout, waitFor } from '../support/redis-fixtures.js';

const MAX_STALENESS_MS = 300;
/** Every isRevoked call must return (or throw) within this: it never touches the network. */
const CALL_BOUND_MS = 50;
/** How much later than maxStalenessMs the mirror may notice it is stale: a generous bound. */
const STALE_BOUND_MS = 2000;
/**
 * Staleness counts from the start of the last successful reload, which began up to one reconcile interval
 * (50 ms) before the fault, plus timer jitter: it may come this much before maxStalenessMs after the fault.
 */
const EARLY_SLACK_MS = 100;

let server: OwnRedisServer | undefined;
let clients: Redis[] = [];
let mirror: RevocationMirror | undefined;

afterEach(async () => {
  await mirror?.stop();
  mirror = undefined;
  for (const client of clients) client.disconnect();
  clients = [];
  // A paused server must be resumed before anything else can stop it cleanly; kill works either way.
  server?.resume();
  await server?.kill();
  server = undefined;
});

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

function revocationOfRevokedToken(): RevocationEntry {
  const now = Date.now();
  return { kind: 'jti', value: 'jti-revoked', revokedAt: now, expiresAt: now + 600_000 };
}

/**
 * Starts an own redis-server and a mirror over it (fast reloads, a short staleness window), seeded with
 * nothing, then publishes one revocation and waits until the mirror refuses its token.
 */
async function mirrorOverOwnRedis(recorded: RevocationEntry[]) {
  server = await ownRedisServer();
  await server.start();
  const layout = uniqueLayout();
  const publisher = client(server.url);
  await publisher.connect();
  await seedRevocations(publisher, recorded, layout);
  mirror = createRevocationMirror({
    redis: client(server.url),
    subscriber: client(server.url),
    ...layout,
    reconcileIntervalMs: 50,
    maxStalenessMs: MAX_STALENESS_MS,
    loadTimeoutMs: 500,
  });
  await mirror.start();
  const revocation = revocationOfRevokedToken();
  recorded.push(revocation);
  await publishRevocation(publisher, revocation, layout);
  await waitFor(() => timedCheck(revokedToken) === true, 5000, 'the revocation to arrive');
  expect(timedCheck(goodToken)).toBe(false);
  return { server, layout, publisher, revocation, mirror };
}

/** The stale refusal, as the guard maps it: 503 with Retry-After. */
function expectStale(outcome: boolean | Error): void {
  expect(outcome).toBeInstanceOf(RevocationMirrorStaleError);
  expect(outcome).toMatchObject({ status: 503, code: 'ERR_GUARD_UNAVAILABLE', dependency: 'revocation' });
  expect((outcome as RevocationMirrorStaleError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
}

describe('revocation mirror when Redis dies and comes back empty', () => {
  it('serves from memory for maxStalenessMs, then fails closed, then recovers once an auth server reseeds Redis', async () => {
    // The system of record: what the auth server's PostgreSQL holds, and seeds Redis from.
    const recorded: RevocationEntry[] = [];
    const { server, layout, publisher, revocation, mirror } = await mirrorOverOwnRedis(recorded);

    // Redis dies.
    const killedAt = performance.now();
    await server.kill();
    const first = timedCheck(goodToken);
    if (performance.now() - killedAt < MAX_STALENESS_MS / 2) expect(first).toBe(false);
    await waitFor(() => timedCheck(goodToken) instanceof Error, 5000, 'the mirror to go stale');
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(MAX_STALENESS_MS - EARLY_SLACK_MS);
    expectStale(timedCheck(goodToken));
    // Known revoked is still refused, stale or not.
    expect(timedCheck(revokedToken)).toBe(true);
    expect(mirror.status()).toMatchObject({ fresh: false, subscribed: false });

    // Redis comes back empty: the mirror resubscribes, but an empty Redis is not a complete set, so it stays
    // closed (still refusing what it knows) until an auth server copies the records back.
    await server.start();
    await waitFor(() => mirror.status().subscribed, 10_000, 'the mirror to resubscribe');
    await mirror.reconcile();
    expect(mirror.status().fresh).toBe(false);
    expect(timedCheck(revokedToken)).toBe(true);
    await waitFor(() => publisher.status === 'ready', 10_000, 'the publisher to reconnect');
    await seedRevocations(publisher, recorded, layout);
    await waitFor(() => mirror.status().fresh, 10_000, 'the mirror to recover');
    expect(timedCheck(revokedToken)).toBe(true);
    expect(timedCheck(goodToken)).toBe(false);
    expect(mirror.status()).toMatchObject({ fresh: true, subscribed: true, entries: 1 });

    // And the channel works again.
    await publishRevocation(publisher, { ...revocation, kind: 'user', value: 'user-1' }, layout);
    await waitFor(() => timedCheck(goodToken) === true, 5000, 'a revocation published after the restart');
  }, 30_000);
});

describe('revocation mirror when Redis hangs (SIGSTOP: connections stay open, nothing answers)', () => {
  it('goes stale within maxStalenessMs although its subscription looks alive, and is fresh again once Redis answers', async () => {
    const { server, mirror } = await mirrorOverOwnRedis([]);

    const pausedAt = performance.now();
    server.pause();
    try {
      // A revocation the auth server cannot deliver now must not be missed for the whole hang.
      await waitFor(() => timedCheck(goodToken) instanceof Error, MAX_STALENESS_MS + STALE_BOUND_MS, 'stale');
      const staleAfter = performance.now() - pausedAt;
      expect(staleAfter).toBeGreaterThanOrEqual(MAX_STALENESS_MS - EARLY_SLACK_MS);
      expect(staleAfter).toBeLessThan(MAX_STALENESS_MS + STALE_BOUND_MS);
      expectStale(timedCheck(goodToken));
      expect(timedCheck(revokedToken)).toBe(true);
      // The bug this guards against: no 'close' came, so the subscription still looks healthy.
      expect(mirror.status()).toMatchObject({ fresh: false, subscribed: true });
    } finally {
      server.resume();
    }

    await waitFor(() => mirror.status().fresh, 10_000, 'the mirror to be fresh again');
    expect(timedCheck(goodToken)).toBe(false);
    expect(timedCheck(revokedToken)).toBe(true);
  }, 30_000);
});
