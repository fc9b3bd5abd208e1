import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { RevocationSubject } from '@portcullis/guard';
import type { Redis } from 'ioredis';
import {
  createRedisClient,
  publishRevocation,
  revocationKey,
  revocationsCompleteKey,
  seedRevocations,
} from '../../src/redis-revocation-store.js';
import type { RevocationEntry } from '../../src/revocation-entry.js';
import { createRevocationMirror, type RevocationMirror } from '../../src/revocation-mirror.js';
import { connectedClient, deleteKeys, REDIS_URL, uniqueLayout, waitFor } from '../support/redis-fixtures.js';

const layout = uniqueLayout();
let redis: Redis;
const opened: { mirror: RevocationMirror; clients: Redis[] }[] = [];

beforeAll(async () => {
  redis = await connectedClient();
});

afterEach(async () => {
  for (const { mirror, clients } of opened.splice(0)) {
    await mirror.stop();
    for (const client of clients) client.disconnect();
  }
  await deleteKeys(redis, layout.keyPrefix);
});

afterAll(() => {
  redis.disconnect();
});

/** A mirror on its own pair of connections, as a resource server would have, over a seeded Redis. */
async function startMirror(
  overrides: Partial<Parameters<typeof createRevocationMirror>[0]> = {},
): Promise<RevocationMirror> {
  await seedRevocations(redis, [], layout);
  const clients = [createRedisClient(REDIS_URL), createRedisClient(REDIS_URL)] as const;
  const mirror = createRevocationMirror({
    redis: clients[0],
    subscriber: clients[1],
    ...layout,
    ...overrides,
  });
  opened.push({ mirror, clients: [...clients] });
  await mirror.start();
  return mirror;
}

function token(overrides: Partial<RevocationSubject> = {}): RevocationSubject {
  return {
    tokenId: 'jti-1',
    grantId: 'grant-1',
    subject: 'user-1',
    clientId: 'client-1',
    keyId: 'kid-1',
    issuedAt: Math.floor(Date.now() / 1000) - 60,
    ...overrides,
  };
}

function entry(overrides: Partial<RevocationEntry> = {}): RevocationEntry {
  const now = Date.now();
  return { kind: 'jti', value: 'jti-1', revokedAt: now, expiresAt: now + 60_000, ...overrides };
}

describe('createRevocationMirror', () => {
  it('validates its options at creation', () => {
    expect(() => createRevocationMirror({ redis, subscriber: redis, ...layout, maxStalenessMs: 0 })).toThrow(
      TypeError,
    );
    expect(() => createRevocationMirror({ redis, subscriber: redis, ...layout, channel: '' })).toThrow(
      TypeError,
    );
  });

  it('refuses to answer before start (fails closed)', () => {
    const mirror = createRevocationMirror({ redis, subscriber: redis, ...layout });
    expect(() => mirror.isRevoked(token())).toThrow(expect.objectContaining({ status: 503 }));
    expect(mirror.status()).toMatchObject({ fresh: false, subscribed: false, entries: 0 });
  });

  it('loads the snapshot at start', async () => {
    await publishRevocation(redis, entry({ kind: 'user', value: 'user-1' }), layout);
    const mirror = await startMirror();
    expect(mirror.isRevoked(token())).toBe(true);
    expect(mirror.isRevoked(token({ subject: 'user-2' }))).toBe(false);
    expect(mirror.status()).toMatchObject({ fresh: true, subscribed: true, entries: 1 });
  });

  it('sees a revocation published afterwards on another connection', async () => {
    const mirror = await startMirror();
    expect(mirror.isRevoked(token())).toBe(false);
    await publishRevocation(redis, entry({ kind: 'grant', value: 'grant-1' }), layout);
    await waitFor(() => mirror.isRevoked(token()) === true, 5000, 'the published revocation');
    expect(mirror.isRevoked(token({ grantId: 'grant-2' }))).toBe(false);
  });

  it('ignores malformed messages and messages of other channels', async () => {
    const warnings: string[] = [];
    const mirror = await startMirror({ logger: { warn: (message) => warnings.push(message) } });
    await redis.publish(layout.channel, '{"kind":"jti","value":"jti-1"}');
    await redis.publish(`${layout.channel}:other`, JSON.stringify(entry()));
    await publishRevocation(redis, entry({ kind: 'kid', value: 'kid-9' }), layout);
    await waitFor(() => mirror.status().entries === 1, 5000, 'the valid message');
    expect(mirror.isRevoked(token())).toBe(false);
    expect(warnings).toContain('revocation mirror: ignored a malformed message');
  });

  it('picks up a key written behind its back at the next reconcile', async () => {
    const mirror = await startMirror({ reconcileIntervalMs: 50 });
    const sneaky = entry({ kind: 'client', value: 'client-1' });
    await redis.set(
      revocationKey(layout.keyPrefix, 'client', 'client-1'),
      JSON.stringify(sneaky),
      'PX',
      60_000,
    );
    await waitFor(() => mirror.isRevoked(token()) === true, 5000, 'the reconcile');
  });

  it('keeps its entries when Redis loses the keys; a new mirror waits for the reseed', async () => {
    const recorded = [entry(), entry({ kind: 'user', value: 'user-from-postgres' })];
    const mirror = await startMirror({ reconcileIntervalMs: 50 });
    await publishRevocation(redis, entry(), layout);
    await waitFor(() => mirror.isRevoked(token()) === true, 5000, 'the published revocation');

    await deleteKeys(redis, layout.keyPrefix); // FLUSHALL, for this run's keys only
    expect(await redis.exists(revocationsCompleteKey(layout.keyPrefix))).toBe(0);
    // The reload fails (no complete set), but the last one that succeeded is recent: it stays fresh for
    // maxStalenessMs after it, and remembers.
    await expect(mirror.reconcile()).resolves.toBe(false);
    expect(mirror.isRevoked(token())).toBe(true);
    expect(mirror.status().fresh).toBe(true);

    // A mirror starting now would trust an empty Redis: it refuses to start until the records are back.
    const clients = [createRedisClient(REDIS_URL), createRedisClient(REDIS_URL)] as const;
    const late = createRevocationMirror({ redis: clients[0], subscriber: clients[1], ...layout });
    opened.push({ mirror: late, clients: [...clients] });
    await expect(late.start()).rejects.toThrow('revocation mirror: the first load failed');

    // An auth server copies the PostgreSQL records back; what Redis lacked is also published.
    const seeded = await seedRevocations(redis, recorded, layout);
    expect(seeded).toMatchObject({ written: 2, published: 2 });
    expect(await seedRevocations(redis, recorded, layout)).toMatchObject({ written: 2, published: 0 });
    await waitFor(() => mirror.status().entries === 2, 5000, 'the reseeded entries');
    await late.start();
    expect(late.isRevoked(token())).toBe(true);
    expect(late.isRevoked(token({ tokenId: 'other', subject: 'user-from-postgres' }))).toBe(true);
    expect(late.status()).toMatchObject({ fresh: true, entries: 2 });
  });

  it('seeds only unexpired entries', async () => {
    const now = Date.now();
    const result = await seedRevocations(
      redis,
      [entry({ value: 'gone', expiresAt: now - 1 }), entry({ value: 'kept' })],
      layout,
      { now },
    );
    expect(result).toMatchObject({ written: 1, published: 1 });
    expect(await redis.exists(revocationKey(layout.keyPrefix, 'jti', 'gone'))).toBe(0);
    expect(await redis.pttl(revocationKey(layout.keyPrefix, 'jti', 'kept'))).toBeGreaterThan(50_000);
  });

  it('merges Redis and the source, and drops entries once they expire', async () => {
    let now = Date.now();
    await publishRevocation(redis, entry({ value: 'a', expiresAt: now + 1000 }), layout, now);
    const mirror = await startMirror({
      now: () => now,
      loadFromSource: async () => [entry({ kind: 'kid', value: 'kid-1', expiresAt: now + 60_000 })],
    });
    expect(mirror.status().entries).toBe(2);
    expect(mirror.isRevoked(token({ tokenId: 'a', keyId: 'x' }))).toBe(true);
    now += 1000;
    expect(mirror.isRevoked(token({ tokenId: 'a', keyId: 'x' }))).toBe(false);
    await mirror.reconcile();
    expect(mirror.status().entries).toBe(1);
  });

  it('goes stale maxStalenessMs after the last successful load, however healthy the subscription looks', async () => {
    let now = Date.now();
    // No reload from the timer during the test: only the injected clock moves.
    const mirror = await startMirror({ now: () => now, reconcileIntervalMs: 60_000, maxStalenessMs: 1000 });
    const syncedAt = mirror.status().lastSyncAt;
    expect(syncedAt).toBe(now);

    now += 1000;
    expect(mirror.isRevoked(token())).toBe(false);
    now += 1;
    // Subscribed all along (a hung Redis never closes the socket), yet nothing proves it is in sync.
    expect(mirror.status()).toMatchObject({ fresh: false, subscribed: true, lastSyncAt: syncedAt });
    expect(() => mirror.isRevoked(token())).toThrow(
      expect.objectContaining({ name: 'RevocationMirrorStaleError', status: 503, lastSyncAt: syncedAt }),
    );

    await expect(mirror.reconcile()).resolves.toBe(true);
    expect(mirror.status()).toMatchObject({ fresh: true, lastSyncAt: now });
    expect(mirror.isRevoked(token())).toBe(false);
  });

  it('does not count a scan during which Redis was flushed and copied again as complete', async () => {
    let interfere = false;
    const mirror = await startMirror({
      reconcileIntervalMs: 60_000,
      // The source is read while Redis is scanned: a flush and a new copy by an auth server happen there.
      loadFromSource: async () => {
        if (interfere) {
          await deleteKeys(redis, layout.keyPrefix);
          await seedRevocations(redis, [], layout);
        }
        return [];
      },
    });
    const syncedAt = mirror.status().lastSyncAt;

    interfere = true;
    await expect(mirror.reconcile()).resolves.toBe(false);
    expect(mirror.status().lastSyncAt).toBe(syncedAt);
    // A marker removed during the scan (a flush, no copy yet) does not count either.
    await expect(
      startMirror({
        loadFromSource: async () => {
          await redis.del(revocationsCompleteKey(layout.keyPrefix));
          return [];
        },
      }),
    ).rejects.toThrow('revocation mirror: the first load failed');

    interfere = false;
    await seedRevocations(redis, [], layout);
    await expect(mirror.reconcile()).resolves.toBe(true);
    expect(mirror.status().lastSyncAt).toBeGreaterThanOrEqual(syncedAt ?? 0);
  });

  it('fails to start, and stays stopped, when the source fails', async () => {
    const clients = [createRedisClient(REDIS_URL), createRedisClient(REDIS_URL)] as const;
    const mirror = createRevocationMirror({
      redis: clients[0],
      subscriber: clients[1],
      ...layout,
      loadFromSource: () => Promise.reject(new Error('auth server down')),
    });
    opened.push({ mirror, clients: [...clients] });
    await expect(mirror.start()).rejects.toThrow();
    expect(mirror.status()).toMatchObject({ fresh: false, subscribed: false });
    expect(() => mirror.isRevoked(token())).toThrow(expect.objectContaining({ status: 503 }));
  });
});
