import { GuardUnavailableError } from '@portcullis/guard';

/**
 * The mirror has been out of sync with Redis for longer than its staleness window: a revocation may have
 * been missed, so the guard must answer 503 with Retry-After (DESIGN.md "Revocation") rather than 200.
 * Keeps GuardUnavailableError's code `ERR_GUARD_UNAVAILABLE` (dependency `revocation`).
 *
 * @example
 * if (error instanceof RevocationMirrorStaleError) metrics.staleRefusals.inc();
 */
export class RevocationMirrorStaleError extends GuardUnavailableError {
  /** Epoch ms of the last moment the mirror is known to have been in sync; undefined if never. */
  readonly lastSyncAt: number | undefined;
  constructor(retryAfterSeconds: number, lastSyncAt: number | undefined) {
    super('revocation', retryAfterSeconds);
    this.name = 'RevocationMirrorStaleError';
    this.lastSyncAt = lastSyncAt;
  }
}
