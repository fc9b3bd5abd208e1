import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Redaction is a second line of defence: no code path logs a token, password or
 * secret, and these paths are blanked should one ever be passed by mistake.
 *
 * @example
 * const logger = createLogger('resource-server', config.logLevel);
 * const batched = createLogger('resource-server', config.logLevel, createBatchedLogDestination());
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: {
      paths: [
        'password',
        'client_secret',
        'access_token',
        'refresh_token',
        'authorization',
        '*.password',
        '*.authorization',
        // API keys (issue 8): the header as Node names it, and the field a caller might log.
        '["x-api-key"]',
        '*["x-api-key"]',
        'apiKey',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
  };
  // Default: pino's synchronous stdout destination, one write per line.
  return destination === undefined ? pino(options) : pino(options, destination);
}
