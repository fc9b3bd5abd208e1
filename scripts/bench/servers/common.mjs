// @ts-check
// What every baseline program of `npm run bench` shares: reading its environment, the one ready line on
// stdout, exiting 0 on SIGTERM/SIGINT, and reading a form body with the auth server's size limit.
import { basename } from 'node:path';

/** The auth server refuses token-endpoint bodies above 16 KiB; the baselines do the same work. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Writes a one-line message to stderr and exits 1: how every baseline reports a start-up problem.
 * @param {unknown} error
 * @returns {never}
 */
export function fail(error) {
  let message = error instanceof Error ? error.message : String(error);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause.
  if (error instanceof Error && error.cause instanceof Error) message += `: ${error.cause.message}`;
  process.stderr.write(`${basename(process.argv[1] ?? 'bench-server')}: ${message.replaceAll('\n', ' ')}\n`);
  process.exit(1);
}

/**
 * @param {string} name
 * @param {string} [fallback]
 * @returns {string}
 */
export function env(name, fallback) {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  return fail(`${name} is required`);
}

/**
 * @param {string} name
 * @param {{ fallback?: number, integer?: boolean, min?: number }} [options]
 * @returns {number}
 */
export function envNumber(name, { fallback, integer = true, min = 1 } = {}) {
  const value = Number(env(name, fallback === undefined ? undefined : String(fallback)));
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    return fail(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

/** PORT (required) and HOST (default 127.0.0.1), plus the issuer URL they imply. */
export function listenAddress() {
  const port = envNumber('PORT');
  if (port > 65_535) return fail('PORT must be at most 65535');
  const host = env('HOST', '127.0.0.1');
  return { port, host, origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/**
 * Starts listening, prints the ready line the harness waits for, and on SIGTERM/SIGINT closes and exits 0.
 * Keep-alive connections from the load generator are cut so that close() cannot wait on them.
 * @param {import('node:http').Server} server
 * @param {{ port: number, host: string }} address
 * @param {() => Promise<void> | void} [onClose]
 */
export function serve(server, { port, host }, onClose) {
  server.once('error', fail);
  server.listen(port, host, () => {
    server.off('error', fail);
    process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    })
      .then(() => onClose?.())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Reads a request body of at most `limit` bytes; resolves undefined when it is larger (answer 413).
 * The rest of an oversized body is drained, not destroyed, so that the 413 can still be written.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [limit]
 * @returns {Promise<string | undefined>}
 */
export function readBody(req, limit = MAX_FORM_BYTES) {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks, size).toString('utf8')));
    req.on('error', reject);
  });
}
