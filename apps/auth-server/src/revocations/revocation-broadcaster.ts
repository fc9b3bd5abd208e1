import type { RevocationRecord } from '@portcullis/db';

/**
 * Where a durable revocation goes next (DESIGN "Revocation": Redis keys with a TTL, then a publish every
 * resource server's mirror hears). revokeTokens calls it only after the PostgreSQL transaction committed, so
 * an implementation may fail without losing anything: the record stays, and a retried request re-broadcasts
 * (the write is idempotent).
 */
export interface RevocationBroadcaster {
  broadcast(revocation: RevocationRecord): Promise<void>;
}

/** Until the Redis fast path exists, PostgreSQL alone holds revocations. */
export const noRevocationBroadcast: RevocationBroadcaster = {
  async broadcast() {},
};
