/** What a revocation names, as the API and the database repository spell it. */
export type RevocationKind = 'jti' | 'grant' | 'user' | 'client' | 'kid';

/** Every kind, in a stable order. */
export const REVOCATION_KINDS: readonly RevocationKind[] = ['jti', 'grant', 'user', 'client', 'kid'];

/**
 * One revocation on the fast path: what Redis stores under its key and what the channel carries. The same
 * facts as the PostgreSQL record (packages/db `RevocationRecord`), minus reason and actor, with instants as
 * epoch milliseconds.
 *
 * @example
 * const entry: RevocationEntry = { kind: 'user', value: userId, revokedAt: Date.now(), expiresAt: Date.now() + 3_600_000 };
 */
export interface RevocationEntry {
  kind: RevocationKind;
  /** The jti, grant id, user id (`sub`), client id or kid. */
  value: string;
  /** Epoch ms. For `user` and `client`, tokens issued at or before this instant are refused. */
  revokedAt: number;
  /** Epoch ms. After it no token the entry concerns can still be valid; the entry is then dropped. */
  expiresAt: number;
}

/** Longer values are not ids Portcullis issues; refusing them bounds what a poisoned key can cost. */
const MAX_VALUE_LENGTH = 512;

/**
 * Validates an entry read from Redis or the channel (external input): a JSON string or an already parsed
 * value. Returns undefined for anything malformed, never throws.
 *
 * @example
 * const entry = parseRevocationEntry(await redis.get(key));
 * if (entry) set.add(entry);
 */
export function parseRevocationEntry(input: unknown): RevocationEntry | undefined {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const { kind, value: named, revokedAt, expiresAt } = record;
  if (typeof kind !== 'string' || !(REVOCATION_KINDS as readonly string[]).includes(kind)) return undefined;
  if (typeof named !== 'string' || named.length === 0 || named.length > MAX_VALUE_LENGTH) return undefined;
  if (!isEpochMs(revokedAt) || !isEpochMs(expiresAt)) return undefined;
  return { kind: kind as RevocationKind, value: named, revokedAt, expiresAt };
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
