import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  loadRevocations,
  publishRevocation,
  revocationKey,
  revocationKeyPattern,
} from '../../src/redis-revocation-store.js';
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

  it('writes nothing for an entry that has already expired', async () => {
    const now = Date.now();
    const expired = entry({ value: 'expired', expiresAt: now });
    await expect(publishRevocation(redis, expired, layout, now)).resolves.toBe(false);
    expect(await redis.exists(revocationKey(layout.keyPrefix, 'jti', 'expired'))).toBe(0);
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
