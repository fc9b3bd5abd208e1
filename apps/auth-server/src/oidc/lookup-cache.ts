export interface LookupCacheOptions<V> {
  /** How long a loaded value is served, in ms; 0 disables the cache (every get loads). */
  ttlMs: number;
  /** Most entries held; the oldest goes first when a new one would exceed it. */
  maxEntries: number;
  /** Whether a loaded value may be stored; default every value. (E.g. no "not found", so a new row shows at once.) */
  keep?: (value: V) => boolean;
  /** Clock (epoch ms); tests move time with it. Default `Date.now`. */
  now?: () => number;
}

export interface LookupCache<V> {
  /**
   * The value held for `key` while it is fresh, else what `load` resolves to (stored when the cache was not
   * cleared meanwhile). Concurrent gets of one key share one load. A rejected load is not stored.
   */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Drops every entry, and keeps loads already in flight from storing what they read before. */
  clear(): void;
  /** While false, every get loads and nothing is stored (the owner cannot hear invalidations). */
  setEnabled(enabled: boolean): void;
  readonly size: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A process-local read-through cache with a TTL and a bound on entries (Map insertion order: the oldest
 * entry goes first). `clear` bumps a generation, so a load that started before a change was committed and
 * ends after it was announced cannot put the old row back (it still answers its own caller).
 *
 * @example
 * const clients = createLookupCache<ClientRecord | null>({ ttlMs: 5000, maxEntries: 10_000 });
 * const client = await clients.get(id, () => findEnabledClient(prisma, id));
 */
export function createLookupCache<V>(options: LookupCacheOptions<V>): LookupCache<V> {
  const { ttlMs, maxEntries } = options;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 0) {
    throw new TypeError('createLookupCache: ttlMs must be a whole number of ms, 0 or more');
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createLookupCache: maxEntries must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const keep = options.keep ?? (() => true);
  const entries = new Map<string, Entry<V>>();
  const inFlight = new Map<string, Promise<V>>();
  let generation = 0;
  let enabled = true;

  const clear = () => {
    generation += 1;
    entries.clear();
    inFlight.clear();
  };
  const store = (key: string, value: V) => {
    entries.delete(key);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { value, expiresAt: now() + ttlMs });
  };

  return {
    get(key, load) {
      if (ttlMs === 0 || !enabled) return load();
      const held = entries.get(key);
      if (held !== undefined) {
        if (held.expiresAt > now()) return Promise.resolve(held.value);
        entries.delete(key);
      }
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const startedIn = generation;
      const loading = load().then(
        (value) => {
          if (startedIn === generation) {
            inFlight.delete(key);
            if (enabled && keep(value)) store(key, value);
          }
          return value;
        },
        (error: unknown) => {
          if (startedIn === generation) inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, loading);
      return loading;
    },
    clear,
    setEnabled(value) {
      if (enabled === value) return;
      enabled = value;
      clear();
    },
    get size() {
      return entries.size;
    },
  };
}
