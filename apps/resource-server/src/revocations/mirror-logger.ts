import type { RevocationMirrorLogger } from '@portcullis/revocation';
import type { Logger } from '@portcullis/service-kit';

/**
 * The mirror's logger (message, details) on our pino logger (details, message).
 *
 * @example
 * createRevocationMirror({ ...options, logger: toMirrorLogger(logger) });
 */
export function toMirrorLogger(logger: Logger): RevocationMirrorLogger {
  return {
    warn(message, details) {
      logger.warn({ ...details }, message);
    },
  };
}
