import { generateApiKey, hashApiKey } from '@portcullis/api-keys';
import {
  ApiKeyIdTakenError,
  type ApiKeyView,
  createApiKey,
  listPublishableApiKeys,
  type NewApiKey,
} from '@portcullis/db';
import { type ApiKeyServices, bestEffortPublish } from './api-key-services.js';

/** A key just issued: the whole key is here and nowhere else, ever. */
export interface IssuedApiKeyView {
  view: ApiKeyView;
  /** `pcl_<id>_<secret>`: shown once, never stored or logged. */
  key: string;
}

/** Ids are 80 random bits: a collision is a retried insert or a broken generator, not bad luck. */
const ID_ATTEMPTS = 3;

/**
 * Generates a key, stores its keyed hash (never the key) and publishes its signed record, so resource
 * servers accept it at once. The grant must have passed checkApiKeyGrant.
 *
 * @example
 * const { view, key } = await issueApiKey(services, { name, owner: { clientId }, resource, scopes, roles: [], permissions: [] });
 */
export async function issueApiKey(
  services: ApiKeyServices,
  input: Omit<NewApiKey, 'id' | 'secretHash'>,
): Promise<IssuedApiKeyView> {
  const issued = await withFreshId((id, key) =>
    createApiKey(services.prisma, { ...input, id, secretHash: hashApiKey(services.hashKey, key) }),
  );
  await publishKeys(services, [issued.view.id]);
  return issued;
}

/**
 * Calls `store` with a new key until its id is free (at most three draws).
 *
 * @throws {ApiKeyIdTakenError} three collisions in a row.
 */
export async function withFreshId(
  store: (id: string, key: string) => Promise<ApiKeyView>,
): Promise<IssuedApiKeyView> {
  for (let attempt = 1; ; attempt += 1) {
    const { id, key } = generateApiKey();
    try {
      return { view: await store(id, key), key };
    } catch (error) {
      if (!(error instanceof ApiKeyIdTakenError) || attempt >= ID_ATTEMPTS) throw error;
    }
  }
}

/** Re-reads the keys as publishable (with their owner's authority now) and publishes their records. */
export async function publishKeys(services: ApiKeyServices, ids: readonly string[]): Promise<void> {
  await bestEffortPublish(services, 'record', async (publisher) => {
    const now = services.now?.() ?? new Date();
    await publisher.publish(await listPublishableApiKeys(services.prisma, now, ids), now);
  });
}
