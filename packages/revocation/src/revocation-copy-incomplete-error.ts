/**
 * A copy of the revocations into Redis (seedRevocations) ended without setting the complete-set marker: the
 * key it created at its start was gone at its end, so Redis was flushed or restarted during the copy (or the
 * copy outlasted `maxCopyMs`) and holds a partial set. Copy again. Stable `code` for logs and metrics.
 *
 * @example
 * if (error instanceof RevocationCopyIncompleteError) reseeder.markDirty();
 */
export class RevocationCopyIncompleteError extends Error {
  readonly code = 'ERR_REVOCATION_COPY_INCOMPLETE';
  /** Entries the copy wrote before it found out (some may have been flushed since). */
  readonly written: number;
  /** Of those, how many were published to running mirrors. */
  readonly published: number;
  constructor(written: number, published: number) {
    super(
      'revocation copy incomplete: Redis lost the copy while it ran (flushed or restarted?); the complete-set marker was not set',
    );
    this.name = 'RevocationCopyIncompleteError';
    this.written = written;
    this.published = published;
  }
}
