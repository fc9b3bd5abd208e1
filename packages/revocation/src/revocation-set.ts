import type { RevocationSubject } from '@portcullis/guard';
import { REVOCATION_KINDS, type RevocationEntry, type RevocationKind } from './revocation-entry.js';

/**
 * The in-memory index of revocations in force: one Map per kind, so a check is five lookups whatever the
 * number of entries.
 *
 * @example
 * const set = createRevocationSet();
 * set.add({ kind: 'jti', value: 'abc', revokedAt: Date.now(), expiresAt: Date.now() + 600_000 });
 * set.isRevoked(subject, Date.now());
 */
export interface RevocationSet {
  /**
   * Adds an entry or merges it with the one already held for (kind, value), keeping the later revokedAt and
   * the later expiresAt — the database's GREATEST upsert (packages/db `recordRevocation`).
   */
  add(entry: RevocationEntry): void;
  /** Drops every entry whose expiresAt is at or before `now` (epoch ms); returns how many went. */
  prune(now: number): number;
  /**
   * Whether an entry in force at `now` (epoch ms) names the token, with the semantics of packages/db
   * `isTokenRevoked`: jti, grant and kid by value; user (`sub`) and client when revokedAt >= iat.
   */
  isRevoked(subject: RevocationSubject, now: number): boolean;
  /** Every entry held, expired or not. */
  entries(): RevocationEntry[];
  readonly size: number;
}

export function createRevocationSet(): RevocationSet {
  const byKind = new Map<RevocationKind, Map<string, RevocationEntry>>(
    REVOCATION_KINDS.map((kind) => [kind, new Map()]),
  );
  const mapOf = (kind: RevocationKind): Map<string, RevocationEntry> => {
    const map = byKind.get(kind);
    if (!map) throw new TypeError(`unknown revocation kind ${String(kind)}`);
    return map;
  };

  function inForce(
    kind: RevocationKind,
    value: string | undefined,
    now: number,
  ): RevocationEntry | undefined {
    if (value === undefined) return undefined;
    const entry = mapOf(kind).get(value);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  /**
   * `iat` has whole seconds and revokedAt milliseconds: compare in seconds, so a token issued in the very
   * second of the revocation counts as revoked (the database compares `revokedAt >= iat` the same way).
   */
  function coversIssuedAt(entry: RevocationEntry | undefined, issuedAt: number): boolean {
    return entry !== undefined && Math.floor(entry.revokedAt / 1000) >= issuedAt;
  }

  return {
    add(entry) {
      const map = mapOf(entry.kind);
      const held = map.get(entry.value);
      map.set(
        entry.value,
        held === undefined
          ? { ...entry }
          : {
              kind: entry.kind,
              value: entry.value,
              revokedAt: Math.max(held.revokedAt, entry.revokedAt),
              expiresAt: Math.max(held.expiresAt, entry.expiresAt),
            },
      );
    },
    prune(now) {
      let removed = 0;
      for (const map of byKind.values()) {
        for (const [value, entry] of map) {
          if (entry.expiresAt <= now) {
            map.delete(value);
            removed += 1;
          }
        }
      }
      return removed;
    },
    isRevoked(subject, now) {
      return (
        inForce('jti', subject.tokenId, now) !== undefined ||
        inForce('kid', subject.keyId, now) !== undefined ||
        inForce('grant', subject.grantId, now) !== undefined ||
        coversIssuedAt(inForce('user', subject.subject, now), subject.issuedAt) ||
        coversIssuedAt(inForce('client', subject.clientId, now), subject.issuedAt)
      );
    },
    entries() {
      return [...byKind.values()].flatMap((map) => [...map.values()].map((entry) => ({ ...entry })));
    },
    get size() {
      let total = 0;
      for (const map of byKind.values()) total += map.size;
      return total;
    },
  };
}
