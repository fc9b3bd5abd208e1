import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  loadRevocations,
  publishRevocation,
  revocationCopyKey,
  revocationKey,
  revocationKeyPattern,
  revocationsCompleteKey,
  revocationsCompleteToken,
  seedRevocations,
} from '../../src/redis-revocation-store.js';
import { RevocationCopyIncompleteError } from '../../src/revocation-copy-incomplete-error.js';
import type { RevocationEntry } from '../../src/revocation-entry.js';
import { connectedClient, deleteKeys, uniqueLayout, waitFor } from '../support/redis-fixtures.js';

const layout = uniqueLayout();
let redis: Redis;
let subscriber: Redis;

beforeAll(async () => {
  redis = await connectedClient();
  subscriber = await connectedClient();
});

afterAll(async () => {
  await deleteKeys(redis, layout.keyPrefix);
  redis.disconnect();
  subscriber.disconnect();
});

function entry(overrides: Partial<RevocationEntry> = {}): RevocationEntry {
  const now = Date.now();
  return { kind: 'jti', value: 'jti-1', revokedAt: now, expiresAt: now + 60_000, ...overrides };
}

/**
 * A layout of its own (keys and channel) with a listener on its channel. `settle()` publishes a sentinel and
 * waits for it: messages on one channel arrive in order, so afterwards `messages` holds everything published
 * before it, and an empty list proves nothing was.
 */
async function listenedLayout() {
  const own = uniqueLayout();
  const messages: RevocationEntry[] = [];
  let sentinels = 0;
  const onMessage = (channel: string, message: string) => {
    if (channel !== own.channel) return;
    if (message === 'sentinel') sentinels += 1;
    else messages.push(JSON.parse(message) as RevocationEntry);
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(own.channel);
  return {
    layout: own,
    messages,
    async settle() {
      const expected = sentinels + 1;
      await redis.publish(own.channel, 'sentinel');
      await waitFor(() => sentinels >= expected, 5000, 'the sentinel');
    },
    async close() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(own.channel);
      await deleteKeys(redis, own.keyPrefix);
    },
  };
}

async function stored(keyPrefix: string, kind: RevocationEntry['kind'], value: string) {
  const raw = await redis.get(revocationKey(keyPrefix, kind, value));
  return raw === null ? null : (JSON.parse(raw) as RevocationEntry);
}

/** The key's remaining TTL must end at `expiresAt` (within the time the test itself took). */
async function expectTtlEndingAt(
  keyPrefix: string,
  kind: RevocationEntry['kind'],
  value: string,
  expiresAt: number,
) {
  const ttl = await redis.pttl(revocationKey(keyPrefix, kind, value));
  const remaining = expiresAt - Date.now();
  expect(ttl).toBeGreaterThan(0);
  expect(Math.abs(ttl - remaining)).toBeLessThan(2000);
}

describe('publishRevocation', () => {
  it('stores the entry under its key with a TTL to expiresAt and publishes it', async () => {
    const messages: string[] = [];
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === layout.channel) messages.push(message);
    });
    await subscriber.subscribe(layout.channel);
    const now = Date.now();
    const published = entry({ kind: 'user', value: 'user-1', revokedAt: now, expiresAt: now + 30_000 });

    await expect(publishRevocation(redis, published, layout, now)).resolves.toBe(true);

    const key = revocationKey(layout.keyPrefix, 'user', 'user-1');
    expect(key).toBe(`${layout.keyPrefix}revoked:user:user-1`);
    expect(JSON.parse((await redis.get(key)) ?? 'null')).toEqual(published);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await waitFor(() => messages.length > 0, 5000, 'the published message');
    expect(JSON.parse(messages[0] ?? 'null')).toEqual(published);
    await subscriber.unsubscribe(layout.channel);
  });

  it('never replaces a newer entry with an older one, publishes nothing then, and keeps the TTL', async () => {
    const listened = await listenedLayout();
    const { layout: own, messages } = listened;
    const now = Date.now();
    const newer = entry({ kind: 'user', value: 'user-1', revokedAt: now, expiresAt: now + 120_000 });
    const older = { ...newer, revokedAt: now - 5000, expiresAt: now + 30_000 };

    await expect(publishRevocation(redis, newer, own)).resolves.toBe(true);
    await expect(publishRevocation(redis, older, own)).resolves.toBe(false);
    await expect(publishRevocation(redis, newer, own)).resolves.toBe(false);

    expect(await stored(own.keyPrefix, 'user', 'user-1')).toEqual(newer);
    await expectTtlEndingAt(own.keyPrefix, 'user', 'user-1', newer.expiresAt);
    await listened.settle();
    expect(messages).toEqual([newer]);
    await listened.close();
  });

  it('keeps the later revokedAt and the later expiresAt of both, and publishes the merged entry', async () => {
    const listened = await listenedLayout();
    const { layout: own, messages } = listened;
    const now = Date.now();
    const first = entry({
      kind: 'client',
      value: 'client/1',
      revokedAt: now - 5000,
      expiresAt: now + 120_000,
    });
    const second = { ...first, revokedAt: now, expiresAt: now + 30_000 };
    const merged = { ...first, revokedAt: second.revokedAt, expiresAt: first.expiresAt };

    await publishRevocation(redis, first, own);
    await expect(publishRevocation(redis, second, own)).resolves.toBe(true);

    expect(await stored(own.keyPrefix, 'client', 'client/1')).toEqual(merged);
    await expectTtlEndingAt(own.keyPrefix, 'client', 'client/1', merged.expiresAt);
    await listened.settle();
    expect(messages).toEqual([first, merged]);
    // An expiresAt later than the stored one extends the TTL.
    const extended = { ...merged, expiresAt: now + 300_000 };
    await expect(publishRevocation(redis, extended, own)).resolves.toBe(true);
    await expectTtlEndingAt(own.keyPrefix, 'client', 'client/1', extended.expiresAt);
    await listened.close();
  });

  it('overwrites a stored value that is not a valid entry for its key', async () => {
    const { keyPrefix } = uniqueLayout();
    const own = { keyPrefix, channel: layout.channel };
    const key = revocationKey(keyPrefix, 'jti', 'jti-1');
    const written = entry({ expiresAt: Date.now() + 60_000 });
    const far = Date.now() + 10 * 60_000;
    for (const garbage of [
      'not json',
      '[1,2]',
      '{"kind":"jti","value":"jti-1","revokedAt":"soon","expiresAt":1}',
      JSON.stringify({ ...written, revokedAt: 1.5, expiresAt: far }),
      // A valid entry, but for another key: it says nothing about this one.
      JSON.stringify({ ...written, value: 'jti-2', revokedAt: far, expiresAt: far }),
      JSON.stringify({ ...written, kind: 'grant', revokedAt: far, expiresAt: far }),
    ]) {
      await redis.set(key, garbage, 'PX', 600_000);
      await expect(publishRevocation(redis, written, own)).resolves.toBe(true);
      expect(await stored(keyPrefix, 'jti', 'jti-1')).toEqual(written);
      await expectTtlEndingAt(keyPrefix, 'jti', 'jti-1', written.expiresAt);
    }
    await deleteKeys(redis, keyPrefix);
  });

  it('rejects an invalid entry before touching Redis', async () => {
    const { keyPrefix } = uniqueLayout();
    const own = { keyPrefix, channel: layout.channel };
    await expect(publishRevocation(redis, entry({ revokedAt: 1.5 }), own)).rejects.toThrow(TypeError);
    await expect(publishRevocation(redis, entry({ value: '' }), own)).rejects.toThrow(TypeError);
    expect(await deleteKeys(redis, keyPrefix)).toBe(0);
  });

  it('writes nothing for an entry that has already expired', async () => {
    const now = Date.now();
    const expired = entry({ value: 'expired', expiresAt: now });
    await expect(publishRevocation(redis, expired, layout, now)).resolves.toBe(false);
    expect(await redis.exists(revocationKey(layout.keyPrefix, 'jti', 'expired'))).toBe(0);
  });
});

describe('seedRevocations', () => {
  it('never replaces a newer entry with an older one; publishes and counts only what changed', async () => {
    const listened = await listenedLayout();
    const { layout: own, messages } = listened;
    const now = Date.now();
    const newer = entry({ kind: 'user', value: 'user-1', revokedAt: now, expiresAt: now + 120_000 });
    // Read from PostgreSQL before the user was revoked again.
    const older = { ...newer, revokedAt: now - 5000, expiresAt: now + 30_000 };
    const other = entry({ kind: 'grant', value: 'grant-1' });
    await publishRevocation(redis, newer, own);

    const result = await seedRevocations(redis, [older, other], own);

    expect(result).toMatchObject({ written: 2, published: 1, skipped: 0 });
    expect(await stored(own.keyPrefix, 'user', 'user-1')).toEqual(newer);
    await expectTtlEndingAt(own.keyPrefix, 'user', 'user-1', newer.expiresAt);
    expect(await stored(own.keyPrefix, 'grant', 'grant-1')).toEqual(other);

    // The stored entry is older this time: the later of each instant is kept, and the TTL follows.
    const later = { ...newer, revokedAt: now + 1000, expiresAt: now + 60_000 };
    expect(await seedRevocations(redis, [later], own)).toMatchObject({ written: 1, published: 1 });
    const merged = { ...newer, revokedAt: later.revokedAt };
    expect(await stored(own.keyPrefix, 'user', 'user-1')).toEqual(merged);
    await expectTtlEndingAt(own.keyPrefix, 'user', 'user-1', merged.expiresAt);
    await listened.settle();
    expect(messages).toEqual([newer, other, merged]);
    await listened.close();
  });

  it('sets the complete-set marker to a token unique to each copy, and removes the copy key', async () => {
    const own = uniqueLayout();
    const first = await seedRevocations(redis, [entry()], own);
    expect(await revocationsCompleteToken(redis, own.keyPrefix)).toBe(first.token);
    const second = await seedRevocations(redis, [entry()], own);
    expect(second.token).not.toBe(first.token);
    expect(await revocationsCompleteToken(redis, own.keyPrefix)).toBe(second.token);
    expect(await redis.exists(revocationCopyKey(own.keyPrefix, first.token))).toBe(0);
    expect(await redis.exists(revocationCopyKey(own.keyPrefix, second.token))).toBe(0);
    await deleteKeys(redis, own.keyPrefix);
  });

  it('does not set the marker, and throws, when Redis is flushed during the copy', async () => {
    const own = uniqueLayout();
    const entries = ['a', 'b', 'c'].map((value) => entry({ value }));

    const copy = seedRevocations(redis, entries, own, {
      batchSize: 1,
      // FLUSHALL after the first batch, for this run's keys only.
      afterBatch: async (copied) => {
        if (copied === 1) await deleteKeys(redis, own.keyPrefix);
      },
    });

    await expect(copy).rejects.toThrow(RevocationCopyIncompleteError);
    await expect(copy).rejects.toMatchObject({ code: 'ERR_REVOCATION_COPY_INCOMPLETE', written: 3 });
    expect(await redis.exists(revocationsCompleteKey(own.keyPrefix))).toBe(0);
    expect(await stored(own.keyPrefix, 'jti', 'a')).toBeNull();
    // The next copy finds nothing in its way.
    const again = await seedRevocations(redis, entries, own, { batchSize: 1 });
    expect(await revocationsCompleteToken(redis, own.keyPrefix)).toBe(again.token);
    expect((await loadRevocations(redis, own.keyPrefix)).map((one) => one.value).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    await deleteKeys(redis, own.keyPrefix);
  });

  it('does not set the marker when the copy outlasts maxCopyMs', async () => {
    const own = uniqueLayout();
    const copy = seedRevocations(redis, [entry()], own, {
      maxCopyMs: 20,
      afterBatch: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
    await expect(copy).rejects.toThrow(RevocationCopyIncompleteError);
    expect(await redis.exists(revocationsCompleteKey(own.keyPrefix))).toBe(0);
    await deleteKeys(redis, own.keyPrefix);
  });

  it('skips invalid entries rather than leave Redis without a complete set', async () => {
    const own = uniqueLayout();
    const result = await seedRevocations(
      redis,
      [entry({ value: 'ok' }), entry({ value: 'x'.repeat(513) })],
      own,
    );
    expect(result).toMatchObject({ written: 1, published: 1, skipped: 1 });
    expect(await revocationsCompleteToken(redis, own.keyPrefix)).toBe(result.token);
    await deleteKeys(redis, own.keyPrefix);
  });

  it('rejects bad options', async () => {
    const own = uniqueLayout();
    await expect(seedRevocations(redis, [], own, { batchSize: 0 })).rejects.toThrow(TypeError);
    await expect(seedRevocations(redis, [], own, { maxCopyMs: 1.5 })).rejects.toThrow(TypeError);
    expect(await deleteKeys(redis, own.keyPrefix)).toBe(0);
  });
});

describe('loadRevocations', () => {
  it('reads every valid entry under the prefix across several SCAN/MGET batches and skips bad keys', async () => {
    const { keyPrefix } = uniqueLayout();
    const written = Array.from({ length: 25 }, (_, index) =>
      entry({ kind: 'grant', value: `grant-${index}` }),
    );
    for (const one of written) await publishRevocation(redis, one, { keyPrefix, channel: layout.channel });
    await redis.set(revocationKey(keyPrefix, 'jti', 'garbage'), 'not json', 'PX', 60_000);
    await redis.set(`${keyPrefix}unrelated`, JSON.stringify(entry()), 'PX', 60_000);
    const invalid: string[] = [];

    const loaded = await loadRevocations(redis, keyPrefix, {
      batchSize: 4,
      onInvalid: (key) => invalid.push(key),
    });

    expect(loaded.sort((a, b) => a.value.localeCompare(b.value))).toEqual(
      [...written].sort((a, b) => a.value.localeCompare(b.value)),
    );
    expect(invalid).toEqual([revocationKey(keyPrefix, 'jti', 'garbage')]);
    await deleteKeys(redis, keyPrefix);
  });

  it('does not read keys of a prefix that merely starts the same or uses glob characters', async () => {
    const base = uniqueLayout().keyPrefix;
    await publishRevocation(redis, entry({ value: 'other' }), {
      keyPrefix: `${base}x:`,
      channel: layout.channel,
    });
    await publishRevocation(redis, entry({ value: 'mine' }), {
      keyPrefix: `${base}*:`,
      channel: layout.channel,
    });
    expect(revocationKeyPattern(`${base}*:`)).toBe(`${base}\\*:revoked:*`);
    expect((await loadRevocations(redis, `${base}*:`)).map((one) => one.value)).toEqual(['mine']);
    await deleteKeys(redis, base);
  });

  it('rejects a bad batch size', async () => {
    await expect(loadRevocations(redis, layout.keyPrefix, { batchSize: 0 })).rejects.toThrow(TypeError);
  });
});
