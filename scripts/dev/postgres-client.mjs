// @ts-check
import pg from 'pg';
import { withTimeout } from './wait.mjs';

/**
 * Connects to `url`, runs `work`, and always disconnects; connecting and each query are bounded.
 * @template T
 * @param {string} url
 * @param {(client: pg.Client) => Promise<T>} work
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function withClient(url, work, timeoutMs = 5000) {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {}); // a server going away after the work is done must not crash the launcher
  try {
    await client.connect();
    return await work(client);
  } finally {
    await withTimeout(client.end(), 2000, 'closing the connection').catch(() => {});
  }
}

/** Resolves when `url` accepts a connection and answers SELECT 1. @param {string} url @param {number} [timeoutMs] */
export async function checkPostgres(url, timeoutMs) {
  await withClient(url, (client) => client.query('SELECT 1'), timeoutMs);
}

/** `url` pointing at database `name` instead. @param {string} url @param {string} name */
export function withDatabase(url, name) {
  const target = new URL(url);
  target.pathname = `/${encodeURIComponent(name)}`;
  return target.href;
}

/**
 * Creates database `name` on the server of `url` unless it exists (a concurrent creator is fine).
 * @param {string} url a database the user can connect to, e.g. `postgres`
 * @param {string} name
 * @returns {Promise<string>} the URL of database `name`
 */
export async function ensureDatabase(url, name) {
  await withClient(url, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (error) {
      const code = /** @type {{ code?: unknown }} */ (error).code;
      if (code !== '42P04' && code !== '23505') throw error; // duplicate_database, or lost a creation race
    }
  });
  return withDatabase(url, name);
}
