// @ts-check
// Plain ESM so the jest global setup (which runs outside jest's transform) can share it with TS tests.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server the tests create their own databases on. Trust auth on these machines; override for others. */
export const postgresAdminUrl =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** @param {string} name */
export function databaseUrl(name) {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** @param {string} prefix */
export function uniqueDatabaseName(prefix) {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * @template T
 * @param {(client: pg.Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withAdminClient(work) {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Identifiers come from uniqueDatabaseName, never from input: quoting is enough.
 * @param {string} name @param {string} [template] @returns {Promise<string>} the new database's URL
 */
export async function createDatabase(name, template) {
  await withAdminClient((c) =>
    c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`),
  );
  return databaseUrl(name);
}

/** @param {string} name */
export async function dropDatabase(name) {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
