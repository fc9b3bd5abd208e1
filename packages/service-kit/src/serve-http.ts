import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface ServeHttpOptions {
  /** Used in the "<name> listening" log line that scripts and tests wait for. */
  name: string;
  handler: RequestListener;
  host: string;
  port: number;
  logger: Logger;
  /** Extra fields for the listening line (issuer, mode...). */
  describe?: Record<string, unknown>;
  /** Releases the container (database pools, timers) after the server stopped accepting requests. */
  close(): Promise<void>;
}

const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Listens, logs `<name> listening` with the port, and on SIGTERM/SIGINT stops accepting, lets in-flight
 * requests finish, closes the container and exits 0 (1 if that fails or takes over 10 s) — STYLE.md §1.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<void> {
  const { name, logger } = options;
  const server = createServer(options.handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, ...options.describe }, `${name} listening`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    server.close(() => {
      options
        .close()
        .then(() => {
          clearTimeout(force);
          process.exit(0);
        })
        .catch(() => process.exit(1));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
