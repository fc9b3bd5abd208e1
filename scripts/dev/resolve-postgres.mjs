// @ts-check
import { checkPostgres, ensureDatabase } from './postgres-client.mjs';
import { startEmbeddedPostgres } from './postgres-embedded.mjs';
import { errorLine, isRefused, redactUrl, secretsOf } from './redact.mjs';

export const DEV_DATABASE = 'portcullis_dev';
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** @typedef {{ url: string, notes: string[], stop: () => Promise<void> }} PostgresChoice */

/**
 * DATABASE_URL when set (it must answer); else a local server on 127.0.0.1:5432 as user postgres (database
 * portcullis_dev, created if missing); else an embedded one with its cluster in `dir`.
 * @param {{ env: Record<string, string | undefined>, dir: string, shownDir: string, probeDefaults: boolean,
 *   log: (line: string) => void }} options
 * @returns {Promise<PostgresChoice>}
 */
export async function resolvePostgres({ env, dir, shownDir, probeDefaults, log }) {
  const configured = env.DATABASE_URL;
  if (configured) {
    try {
      await checkPostgres(configured, 5000);
    } catch (error) {
      const reason = errorLine(error, secretsOf(configured));
      throw new Error(`DATABASE_URL (${redactUrl(configured)}) does not answer: ${reason}`);
    }
    return {
      url: configured,
      notes: [`PostgreSQL: DATABASE_URL (${redactUrl(configured)})`],
      stop: async () => {},
    };
  }

  /** @type {string[]} */
  const notes = [];
  if (probeDefaults) {
    try {
      await checkPostgres(LOCAL_URL, 1500);
      const url = await ensureDatabase(LOCAL_URL, DEV_DATABASE);
      return {
        url,
        notes: [`PostgreSQL: local server on 127.0.0.1:5432, database ${DEV_DATABASE}`],
        stop: async () => {},
      };
    } catch (error) {
      if (!isRefused(error))
        notes.push(`PostgreSQL: 127.0.0.1:5432 not usable as user postgres (${errorLine(error)})`);
    }
  }

  log(`PostgreSQL: starting an embedded server, data in ${shownDir}`);
  let server;
  try {
    server = await startEmbeddedPostgres({ dir });
  } catch (error) {
    throw new Error(`PostgreSQL: ${errorLine(error)}`);
  }
  try {
    const url = await ensureDatabase(server.url, DEV_DATABASE);
    const took = server.initialised
      ? `initialised in ${seconds(server.initMs)}, started in ${seconds(server.startMs)}`
      : `started in ${seconds(server.startMs)}`;
    notes.push(
      `PostgreSQL: embedded (PostgreSQL ${server.version}) on 127.0.0.1:${server.port}, data in ${shownDir} (${took})`,
    );
    return { url, notes, stop: server.stop };
  } catch (error) {
    await server.stop();
    throw new Error(
      `PostgreSQL: embedded server started but creating ${DEV_DATABASE} failed: ${errorLine(error)}`,
    );
  }
}

/** @param {number} ms */
const seconds = (ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
