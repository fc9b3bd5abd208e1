import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listActiveRevocations, recordRevocation } from '@portcullis/db';
import {
  createRedisClient,
  parseRevocationEntry,
  type RevocationEntry,
  revocationKey,
  revocationsCompleteKey,
} from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
  waitFor,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

interface RevocationBody {
  id: string;
  kind: RevocationEntry['kind'];
  value: string;
  revokedAt: string;
  expiresAt: string;
}

/** The entry the auth server should have written for a revocation the admin API answered with. */
const entryOf = (body: RevocationBody): RevocationEntry => ({
  kind: body.kind,
  value: body.value,
  revokedAt: Date.parse(body.revokedAt),
  expiresAt: Date.parse(body.expiresAt),
});

async function storedEntry(redis: Redis, keyPrefix: string, body: RevocationBody) {
  return parseRevocationEntry(await redis.get(revocationKey(keyPrefix, body.kind, body.value)));
}

/** Subscribes to the channel and collects what is published on it. */
async function listen(url: string, channel: string): Promise<{ client: Redis; messages: string[] }> {
  const client = await connectedClient(url);
  const messages: string[] = [];
  client.on('message', (from: string, message: string) => {
    if (from === channel) messages.push(message);
  });
  await client.subscribe(channel);
  return { client, messages };
}

/**
 * The write path's Redis half (DESIGN.md "Revocation"): after the PostgreSQL record, a key with a TTL and a
 * publish; Redis losing keys, or missing a broadcast, is repaired from PostgreSQL by the reseeder.
 */
describe('auth server: revocations on the Redis fast path (shared Redis)', () => {
  const layout = uniqueLayout();
  let server: TestAuthServer;
  let admin: string;
  let redis: Redis;
  let listener: { client: Redis; messages: string[] };

  beforeAll(async () => {
    server = await startTestAuthServer({ REDIS_URL, REDIS_KEY_PREFIX: layout.keyPrefix });
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    redis = await connectedClient();
    listener = await listen(REDIS_URL, layout.channel);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    if (redis) await deleteKeys(redis, layout.keyPrefix);
    redis?.disconnect();
    listener?.client.disconnect();
  });

  const revoke = async (body: Record<string, unknown>): Promise<RevocationBody> => {
    const response = await adminRequest(server, '/revocations', admin, { method: 'POST', body });
    expect(response.status).toBe(201);
    return (await response.json()) as RevocationBody;
  };

  it('is seeded at start: the complete-set marker is there', async () => {
    expect(await redis.exists(revocationsCompleteKey(layout.keyPrefix))).toBe(1);
    expect(server.container.redis?.status).toBe('ready');
    const readiness = await fetch(`${server.url}/readyz`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('writes a revocation to Redis with a TTL until its expiresAt, and publishes it', async () => {
    const body = await revoke({ kind: 'jti', value: 'jti-fast-path-1', reason: 'test' });
    const expected = entryOf(body);

    // Written before the 201: no wait needed.
    expect(await storedEntry(redis, layout.keyPrefix, body)).toEqual(expected);
    const ttl = await redis.pttl(revocationKey(layout.keyPrefix, 'jti', 'jti-fast-path-1'));
    const remaining = expected.expiresAt - Date.now();
    expect(Math.abs(ttl - remaining)).toBeLessThan(2000);

    await waitFor(() => listener.messages.length > 0, 5000, 'the publish');
    expect(listener.messages.map((message) => parseRevocationEntry(message))).toContainEqual(expected);
  });

  it('restores every revocation in force after the prefix is wiped, marker included', async () => {
    const userId = await server.addUser({ username: 'wiped-user', password: 'wiped user password 1' });
    const records = [
      await revoke({ kind: 'jti', value: 'jti-fast-path-2' }),
      await revoke({ kind: 'user', value: userId }),
    ];
    // An expired record stays in PostgreSQL until purged, but is not copied back.
    const expiredAt = new Date(Date.now() - 1000);
    await recordRevocation(server.prisma, {
      kind: 'jti',
      value: 'jti-expired',
      revokedAt: new Date(expiredAt.getTime() - 60_000),
      expiresAt: expiredAt,
    });
    const publishedBefore = listener.messages.length;

    expect(await deleteKeys(redis, layout.keyPrefix)).toBeGreaterThanOrEqual(3);
    expect(await redis.exists(revocationsCompleteKey(layout.keyPrefix))).toBe(0);

    let restored: (RevocationEntry | undefined)[] = [];
    const check = async () => {
      restored = await Promise.all(records.map((body) => storedEntry(redis, layout.keyPrefix, body)));
      return (await redis.exists(revocationsCompleteKey(layout.keyPrefix))) === 1;
    };
    const deadline = Date.now() + 10_000;
    while (!(await check()) || restored.some((entry) => entry === undefined)) {
      if (Date.now() > deadline) throw new Error('Redis was not reseeded within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(restored).toEqual(records.map(entryOf));
    expect(await redis.exists(revocationKey(layout.keyPrefix, 'jti', 'jti-expired'))).toBe(0);
    // Running mirrors hear what Redis had lost.
    await waitFor(() => listener.messages.length >= publishedBefore + records.length, 5000, 'republish');
    const republished = listener.messages
      .slice(publishedBefore)
      .map((message) => parseRevocationEntry(message));
    expect(republished).toEqual(expect.arrayContaining(records.map(entryOf)));
  }, 20_000);

  it('only checks the marker while Redis is whole; a full resync then changes and publishes nothing', async () => {
    const reseeder = server.container.revocationReseeder;
    if (!reseeder) throw new Error('no reseeder although REDIS_URL is set');
    await reseeder.check(); // let a reseed the timer may have in flight finish
    expect(await reseeder.check()).toEqual({ action: 'in-sync' });

    const publishedBefore = listener.messages.length;
    reseeder.markDirty();
    // What the broadcaster wrote is byte-for-byte what a reseed writes: nothing is republished.
    const inForce = (await listActiveRevocations(server.prisma)).length;
    expect(inForce).toBeGreaterThanOrEqual(3);
    expect(await reseeder.check()).toMatchObject({ action: 'reseeded', written: inForce, published: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.messages).toHaveLength(publishedBefore);
  });
});

/**
 * Redis down, hung or restarted empty under a running auth server: the admin API still answers 201 once the
 * record is durable, and the record reaches Redis as soon as Redis answers again.
 */
describe('auth server: revocations while its Redis fails (own redis-server)', () => {
  const layout = uniqueLayout();
  let own: OwnRedisServer;
  let server: TestAuthServer;
  let admin: string;
  let observer: Redis | undefined;

  beforeAll(async () => {
    own = await ownRedisServer();
    // Nothing listens on the port yet: start-up must not fail, nor wait long.
    const startedAt = Date.now();
    server = await startTestAuthServer({ REDIS_URL: own.url, REDIS_KEY_PREFIX: layout.keyPrefix });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
  }, 30_000);
  afterAll(async () => {
    own?.resume();
    observer?.disconnect();
    await server?.close();
    await own?.kill();
  });

  /** A client that tolerates the outages this test causes. */
  const observe = async (): Promise<Redis> => {
    observer?.disconnect();
    const client = createRedisClient(own.url, {
      commandTimeoutMs: 1000,
      // A client whose Redis was killed otherwise holds the process for 2 s after disconnect().
      redisOptions: { disconnectTimeout: 200 },
    });
    client.on('error', () => undefined);
    await client.connect();
    observer = client;
    return client;
  };
  /** POST /revocations, timed: it must answer 201 within `boundMs` whatever Redis does. */
  const revokeWithin = async (body: Record<string, unknown>, boundMs: number): Promise<RevocationBody> => {
    const startedAt = performance.now();
    const response = await adminRequest(server, '/revocations', admin, { method: 'POST', body });
    expect(response.status).toBe(201);
    expect(performance.now() - startedAt).toBeLessThan(boundMs);
    return (await response.json()) as RevocationBody;
  };
  /** Every record in force, from PostgreSQL through the admin API. */
  const listRecorded = async (): Promise<RevocationBody[]> => {
    const response = await adminRequest(server, '/revocations?limit=100', admin);
    expect(response.status).toBe(200);
    return ((await response.json()) as { revocations: RevocationBody[] }).revocations;
  };
  const readiness = async () => {
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
  };
  /** Polls until Redis holds every one of these records (and the marker); bounded. */
  const waitUntilInRedis = async (client: Redis, records: RevocationBody[], timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stored = await Promise.all(
        records.map((body) => storedEntry(client, layout.keyPrefix, body).catch(() => undefined)),
      );
      const marker = await client.exists(revocationsCompleteKey(layout.keyPrefix)).catch(() => 0);
      if (marker === 1 && stored.every((entry, index) => isEqualEntry(entry, records[index]))) return;
      if (Date.now() > deadline) throw new Error(`records not in Redis within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const isEqualEntry = (entry: RevocationEntry | undefined, body: RevocationBody | undefined) =>
    entry !== undefined && body !== undefined && JSON.stringify(entry) === JSON.stringify(entryOf(body));

  it('starts without Redis, records revocations (201), and reports redis unavailable', async () => {
    const body = await revokeWithin({ kind: 'jti', value: 'jti-before-redis' }, 2000);
    expect(body.kind).toBe('jti');
    expect(await readiness()).toMatchObject({ status: 503, body: { checks: { redis: 'unavailable' } } });
  });

  it('copies what was recorded meanwhile into Redis once it comes up', async () => {
    await own.start();
    const client = await observe();
    const recorded = await listRecorded();
    expect(recorded.map((record) => record.value)).toEqual(['jti-before-redis']);
    await waitUntilInRedis(client, recorded);
    await waitFor(() => server.container.redis?.status === 'ready', 10_000, 'the auth server to reconnect');
    expect(await readiness()).toMatchObject({ status: 200, body: { checks: { redis: 'ok' } } });
  }, 20_000);

  it('answers 201 within the command timeout while Redis hangs, and reseeds once it answers', async () => {
    const client = await observe();
    own.pause();
    let body: RevocationBody;
    try {
      // The client's command timeout (500 ms) bounds the broadcast.
      body = await revokeWithin({ kind: 'jti', value: 'jti-while-hung' }, 3000);
    } finally {
      own.resume();
    }
    // The marker is still there: only the failed broadcast tells the reseeder to copy it over.
    expect(await client.exists(revocationsCompleteKey(layout.keyPrefix))).toBe(1);
    await waitUntilInRedis(client, [body]);
  }, 20_000);

  it('answers 201 at once while Redis is down, and restores everything when it restarts empty', async () => {
    await own.kill();
    const down = await revokeWithin({ kind: 'jti', value: 'jti-while-down' }, 2000);
    const userId = await server.addUser({ username: 'down-user', password: 'down user password 1' });
    const user = await revokeWithin({ kind: 'user', value: userId }, 2000);
    await own.start();
    const client = await observe();
    const all = await listRecorded();
    expect(all.map((record) => record.value)).toEqual(
      expect.arrayContaining(['jti-before-redis', 'jti-while-hung', 'jti-while-down', userId]),
    );
    await waitUntilInRedis(client, all);
    expect(await storedEntry(client, layout.keyPrefix, down)).toEqual(entryOf(down));
    expect(await storedEntry(client, layout.keyPrefix, user)).toEqual(entryOf(user));
  }, 20_000);
});
