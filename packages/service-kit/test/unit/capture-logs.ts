import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: Record<string, unknown>[];
  /** Every line as written, to search for what must never be logged. */
  raw(): string;
}

/** A pino logger writing JSON lines into memory (synchronously), so tests assert on what gets logged. */
export function captureLogs(level = 'debug'): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = pino({ level, base: { service: 'test' } }, destination);
  return {
    logger,
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => chunks.join(''),
  };
}

/** For tests that need a logger and read none of it. */
export const silentLogger: Logger = pino({ level: 'silent' });
