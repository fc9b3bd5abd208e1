import type { PrismaClient } from '@portcullis/db';
import type { Logger } from '../logger.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import type { ApiKeyPublisher } from './api-key-publisher.js';

/** What issuing, rotating and revoking API keys need; the publisher is absent without Redis. */
export interface ApiKeyServices {
  prisma: PrismaClient;
  /** API_KEY_HASH_KEY. */
  hashKey: Buffer;
  /** The revocation write path (a revoked key gets a `jti` revocation named by its id). */
  revocation: RevokeTokensDependencies;
  /** Undefined in development without Redis: keys are stored but reach no resource server. */
  publisher: ApiKeyPublisher | undefined;
  /** Redis missed a change: re-sign and sweep every record at the next check (republisher.markDirty). */
  onPublishFailed: () => void;
  logger: Logger;
  now?: () => Date;
}

/**
 * Runs a Redis step of a change that is durable in PostgreSQL already: a failure is logged and handed to
 * the republisher, never thrown (the record or revocation in PostgreSQL is what counts).
 */
export async function bestEffortPublish(
  services: ApiKeyServices,
  what: string,
  step: (publisher: ApiKeyPublisher) => Promise<void>,
): Promise<void> {
  if (!services.publisher) return;
  try {
    await step(services.publisher);
  } catch (error) {
    services.onPublishFailed();
    services.logger.warn(
      { error: error instanceof Error ? error.message : String(error) },
      `api key ${what} not published (Redis failed); the republisher retries`,
    );
  }
}
