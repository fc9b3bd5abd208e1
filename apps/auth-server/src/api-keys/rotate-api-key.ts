import { hashApiKey } from '@portcullis/api-keys';
import { type ApiKeyView, apiKeyStatus, getApiKey, rotateApiKey } from '@portcullis/db';
import { ApiKeyNotActiveError } from './api-key-errors.js';
import type { ApiKeyServices } from './api-key-services.js';
import { type IssuedApiKeyView, publishKeys, withFreshId } from './issue-api-key.js';
import { revokeApiKeyEverywhere } from './revoke-api-key.js';

export interface ApiKeyRotationResult extends IssuedApiKeyView {
  /** The old key after the change: revoked (no grace) or expiring at the end of the grace. */
  previous: ApiKeyView;
}

/**
 * Issues a new key in place of an active one: same owner, name, resource, scopes, roles, permissions and
 * expiry. With no grace the old key is revoked everywhere before this resolves (revokeApiKeyEverywhere);
 * with a grace its expiry is brought forward to now + grace and its record re-signed at once, so its
 * `key_exp` and `exp` shrink on every resource server. Null for an unknown id.
 *
 * @throws {ApiKeyNotActiveError} the key is revoked, expired or already rotated (a grace running).
 */
export async function rotateApiKeyEverywhere(
  services: ApiKeyServices,
  id: string,
  request: { graceSeconds: number; actor?: string | undefined },
): Promise<ApiKeyRotationResult | null> {
  const now = services.now?.() ?? new Date();
  const current = await getApiKey(services.prisma, id);
  if (!current) return null;
  if (apiKeyStatus(current, now) !== 'active') throw new ApiKeyNotActiveError();
  const graceEndsAt =
    request.graceSeconds > 0 ? new Date(now.getTime() + request.graceSeconds * 1000) : undefined;
  let previous = current;
  const issued = await withFreshId(async (nextId, key) => {
    const rotation = await rotateApiKey(
      services.prisma,
      id,
      { id: nextId, secretHash: hashApiKey(services.hashKey, key), createdBy: request.actor ?? null },
      { now, graceEndsAt },
    );
    // Active above: an earlier rotation (grace running) or a concurrent rotation or revocation gets here.
    if (!rotation) throw new ApiKeyNotActiveError();
    previous = rotation.previous;
    return rotation.next;
  });
  if (graceEndsAt) {
    await publishKeys(services, [issued.view.id, id]);
  } else {
    await publishKeys(services, [issued.view.id]);
    const revoked = await revokeApiKeyEverywhere(services, id, {
      actor: request.actor,
      reason: 'api key rotated',
    });
    previous = revoked ?? previous;
  }
  return { ...issued, previous };
}
