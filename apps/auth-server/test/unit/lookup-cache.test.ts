import { describe, expect, it } from '@jest/globals';
import { createLookupCache } from '../../src/oidc/lookup-cache.js';

/** A load that counts its calls and resolves when told to. */
function deferredLoads<V>() {
  const pending: { resolve: (value: V) => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  return {
    load: () =>
      new Promise<V>((resolve, reject) => {
        calls += 1;
        pending.push({ resolve, reject });
      }),
    next: () => pending.shift()!,
    get calls() {
      return calls;
    },
  };
}

describe('createLookupCache', () => {
  it('serves a loaded value until its TTL has passed, then loads again', async () => {
    let now = 1_000;
    const cache = createLookupCache<string>({ ttlMs: 5000, maxEntries: 10, now: () => now });
    let loads = 0;
    const load = async () => `value-${++loads}`;
    expect(await cache.get('a', load)).toBe('value-1');
    now += 4999;
    expect(await cache.get('a', load)).toBe('value-1');
    now += 1;
    expect(await cache.get('a', load)).toBe('value-2');
    expect(loads).toBe(2);
  });

  it('shares one load between concurrent gets of a key', async () => {
    const cache = createLookupCache<string>({ ttlMs: 5000, maxEntries: 10 });
    const loads = deferredLoads<string>();
    const first = cache.get('a', loads.load);
    const second = cache.get('a', loads.load);
    loads.next().resolve('shared');
    expect(await Promise.all([first, second])).toEqual(['shared', 'shared']);
    expect(loads.calls).toBe(1);
  });

  it('holds at most maxEntries, dropping the oldest first', async () => {
    const cache = createLookupCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    let loads = 0;
    const load = async () => `value-${++loads}`;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(cache.size).toBe(2);
    expect(await cache.get('b', load)).toBe('value-2');
    expect(await cache.get('c', load)).toBe('value-3');
    expect(await cache.get('a', load)).toBe('value-4');
  });

  it('forgets everything on clear', async () => {
    const cache = createLookupCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    let loads = 0;
    const load = async () => `value-${++loads}`;
    await cache.get('a', load);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(await cache.get('a', load)).toBe('value-2');
  });

  it('does not store what a load read before a clear, and does not share it with gets after the clear', async () => {
    const cache = createLookupCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const loads = deferredLoads<string>();
    const before = cache.get('a', loads.load);
    cache.clear(); // the change was committed and announced while the read was under way
    const after = cache.get('a', loads.load);
    loads.next().resolve('old row');
    loads.next().resolve('new row');
    expect(await before).toBe('old row');
    expect(await after).toBe('new row');
    expect(await cache.get('a', loads.load)).toBe('new row');
    expect(loads.calls).toBe(2);
  });

  it('does not store a failed load', async () => {
    const cache = createLookupCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    await expect(cache.get('a', async () => Promise.reject(new Error('PostgreSQL down')))).rejects.toThrow(
      'PostgreSQL down',
    );
    expect(await cache.get('a', async () => 'value')).toBe('value');
    expect(cache.size).toBe(1);
  });

  it('does not store values that `keep` refuses (e.g. "not found")', async () => {
    const cache = createLookupCache<string | null>({
      ttlMs: 60_000,
      maxEntries: 10,
      keep: (v) => v !== null,
    });
    let loads = 0;
    const load = async () => (++loads === 1 ? null : 'created since');
    expect(await cache.get('a', load)).toBeNull();
    expect(await cache.get('a', load)).toBe('created since');
    expect(await cache.get('a', load)).toBe('created since');
    expect(loads).toBe(2);
  });

  it('loads every time while disabled or with a TTL of 0', async () => {
    let loads = 0;
    const load = async () => `value-${++loads}`;
    const off = createLookupCache<string>({ ttlMs: 0, maxEntries: 10 });
    await off.get('a', load);
    await off.get('a', load);
    expect(loads).toBe(2);

    const cache = createLookupCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    await cache.get('a', load);
    cache.setEnabled(false);
    expect(await cache.get('a', load)).toBe('value-4');
    expect(cache.size).toBe(0);
    cache.setEnabled(true);
    expect(await cache.get('a', load)).toBe('value-5');
    expect(await cache.get('a', load)).toBe('value-5');
  });

  it('refuses options it cannot honour', () => {
    expect(() => createLookupCache({ ttlMs: -1, maxEntries: 1 })).toThrow(TypeError);
    expect(() => createLookupCache({ ttlMs: 1000, maxEntries: 0 })).toThrow(TypeError);
  });
});
