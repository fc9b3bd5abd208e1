import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';

/**
 * `broadcaster`, counting each revocation by kind as it passes. revokeTokens hands every durable record to
 * the broadcaster, so this is the one place that sees them all (admin API, RFC 7009 endpoint, refresh-token
 * reuse). Counted before the broadcast: the record is durable whether or not Redis takes it.
 *
 * @example
 * broadcaster = countRevocations(broadcaster, appMetrics.revoked);
 */
export function countRevocations(
  broadcaster: RevocationBroadcaster,
  revoked: (kind: string) => void,
): RevocationBroadcaster {
  return {
    broadcast(revocation) {
      revoked(revocation.kind);
      return broadcaster.broadcast(revocation);
    },
  };
}
