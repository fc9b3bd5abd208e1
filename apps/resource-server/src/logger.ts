import { createLogger as createServiceLogger, type Logger } from '@portcullis/service-kit';

export function createLogger(level: string): Logger {
  return createServiceLogger('resource-server', level);
}
