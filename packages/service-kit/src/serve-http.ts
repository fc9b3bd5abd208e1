import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { answerClientErrors } from './client-error-responder.js';
import type { TlsCredentials } from './tls-credentials.js';

/** One HTTP listener of a service (the auth server has a public and an admin one). */
export interface HttpListener {
  /** Used in the "<name> listening" log line that scripts and tests wait for. */
  name: string;
  handler: RequestListener;
  host: string;
  port: number;
  /** Extra fields for the listening line (issuer, mode...). */
  describe?: Record<string, unknown>;
  /** Serve https with these (TLS 1.2 or later); plain http without. */
  tls?: TlsCredentials;
}

export interface ServeHttpOptions {
  listeners: HttpListener[];
  logger: Logger;
  /** Releases the container (database pools, timers) after every listener stopped accepting requests. */
  close(): Promise<void>;
}

const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Listens on every listener, logs `<name> listening` with its port, and on SIGTERM/SIGINT stops accepting,
 * lets in-flight requests finish, closes the container and exits 0 (1 if that fails or takes over 10 s) —
 * STYLE.md §1.
 */
export async function serveHttp({ listeners, logger, close }: ServeHttpOptions): Promise<void> {
  const servers: Server[] = [];
  for (const listener of listeners) {
    const server = listener.tls
      ? createHttpsServer({ ...listener.tls, minVersion: 'TLSv1.2' }, listener.handler)
      : createServer(listener.handler);
    // Requests Node's parser refuses (overlong URL, malformed request line) still get a JSON problem body.
    server.on('clientError', answerClientErrors(logger));
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listener.port, listener.host, resolve);
    });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const protocol = listener.tls ? 'https' : 'http';
    logger.info({ port, host: listener.host, protocol, ...listener.describe }, `${listener.name} listening`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    const closed = servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    Promise.all(closed)
      .then(close)
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
