import {
  createBatchedLogDestination,
  createLogger as createServiceLogger,
  type Logger,
} from '@portcullis/service-kit';

/** Lines of one event-loop turn are written together: an access-log line per request is on the hot path. */
export function createLogger(level: string): Logger {
  return createServiceLogger('resource-server', level, createBatchedLogDestination());
}
