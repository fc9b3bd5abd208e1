import type { RevocationRecord } from '@portcullis/db';
import type { RevocationEntry } from '@portcullis/revocation';

/**
 * The fast-path form of a PostgreSQL record: the same facts with instants as epoch ms, without reason and
 * actor (Redis and the channel carry only what a verifier needs).
 *
 * @example
 * await publishRevocation(redis, toRevocationEntry(record), layout);
 */
export function toRevocationEntry(record: RevocationRecord): RevocationEntry {
  return {
    kind: record.kind,
    value: record.value,
    revokedAt: record.revokedAt.getTime(),
    expiresAt: record.expiresAt.getTime(),
  };
}
