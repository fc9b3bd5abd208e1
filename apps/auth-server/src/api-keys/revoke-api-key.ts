import { type ApiKeyView, revokeApiKey } from '@portcullis/db';
import { revokeTokens } from '../revocations/revoke-tokens.js';
import { type ApiKeyServices, bestEffortPublish } from './api-key-services.js';

/**
 * Revokes a key everywhere, in the order that never lets it work again once this resolves: revokedAt in
 * PostgreSQL (no record is signed for it from then on), then a `jti` revocation named by the key id
 * through the single revocation write path (durable in PostgreSQL, then broadcast to every resource
 * server's mirror; it outlives any record signed before, which lives at most the longest access-token
 * lifetime), then its record deleted from Redis and `deleted:<id>` published. Idempotent: revoking again
 * keeps the first revokedAt and repeats the rest. Null for an unknown id.
 *
 * @example
 * const key = await revokeApiKeyEverywhere(services, id, { actor: adminId, reason: 'leaked' });
 */
export async function revokeApiKeyEverywhere(
  services: ApiKeyServices,
  id: string,
  request: { actor?: string | undefined; reason: string },
): Promise<ApiKeyView | null> {
  const now = services.now?.() ?? new Date();
  const key = await revokeApiKey(services.prisma, id, now);
  if (!key) return null;
  await revokeTokens(
    { ...services.revocation, now: () => now },
    { kind: 'jti', value: id, reason: request.reason, actor: request.actor },
  );
  await bestEffortPublish(services, 'deletion', (publisher) => publisher.unpublish([id]));
  return key;
}
