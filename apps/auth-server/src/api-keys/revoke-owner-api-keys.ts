import { revokeOwnerApiKeys } from '@portcullis/db';
import type { RevocationBroadcaster } from '../revocations/revocation-broadcaster.js';
import { revokeTokens } from '../revocations/revoke-tokens.js';
import { type ApiKeyServices, bestEffortPublish } from './api-key-services.js';

/**
 * `broadcaster`, extended so that a `user` or `client` revocation (admin revoke-by-user/client, disable,
 * delete) also revokes the owner's API keys created at or before its cut-off: revokedAt in PostgreSQL and a
 * `jti` revocation per key (through `services.revocation`, whose broadcaster must be the inner one), then
 * their records leave Redis. Resource servers already refuse such keys by the record's `created_at` while
 * the owner's revocation is in force; this makes it permanent, so they never come back when it expires.
 *
 * revokeTokens hands every durable record to the broadcaster after the commit: when this throws (PostgreSQL
 * failed), the owner's revocation stands and the request fails, and a retry (revoking again) converges.
 *
 * @example
 * broadcaster = revokingOwnerApiKeys(broadcaster, { ...services, revocation: { ...revocation, broadcaster } });
 */
export function revokingOwnerApiKeys(
  broadcaster: RevocationBroadcaster,
  services: ApiKeyServices,
): RevocationBroadcaster {
  return {
    async broadcast(revocation) {
      await broadcaster.broadcast(revocation);
      if (revocation.kind !== 'user' && revocation.kind !== 'client') return;
      const owner =
        revocation.kind === 'user' ? { userId: revocation.value } : { clientId: revocation.value };
      const now = services.now?.() ?? new Date();
      const ids = await revokeOwnerApiKeys(services.prisma, owner, revocation.revokedAt, now);
      for (const id of ids) {
        await revokeTokens(
          { ...services.revocation, now: () => now },
          {
            kind: 'jti',
            value: id,
            reason: `api key owner revoked (${revocation.kind})`,
            actor: revocation.actor ?? undefined,
          },
        );
      }
      if (ids.length > 0) {
        await bestEffortPublish(services, 'deletion', (publisher) => publisher.unpublish(ids));
      }
    },
  };
}
