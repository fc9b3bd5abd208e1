// @ts-check
// Development services for `npm start` (DESIGN.md, "Running it"): for PostgreSQL and for Redis, the URL from
// the environment, else a local server on the default port, else an embedded one whose files live in dataDir.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { resolvePostgres } from './resolve-postgres.mjs';
import { resolveRedis } from './resolve-redis.mjs';

/**
 * @param {{ dataDir: string, env?: Record<string, string | undefined>, log?: (line: string) => void,
 *   probeDefaults?: boolean }} options `env` supplies DATABASE_URL, REDIS_URL and the PATH searched for
 *   redis-server; `probeDefaults: false` skips 127.0.0.1:5432 and :6379 (tests); embedded data goes to
 *   `<dataDir>/postgres` and `<dataDir>/redis`.
 * @returns {Promise<{ databaseUrl: string, redisUrl: string | undefined, notes: string[], stop: () => Promise<void> }>}
 */
export async function resolveServices({
  dataDir,
  env = process.env,
  log = (line) => console.info(line),
  probeDefaults = true,
}) {
  const root = resolve(dataDir);
  /** @param {string} name */
  const place = (name) => ({ dir: join(root, name), shownDir: shown(join(root, name)) });
  const [postgres, redis] = await Promise.allSettled([
    resolvePostgres({ env, log, probeDefaults, ...place('postgres') }),
    resolveRedis({ env, log, probeDefaults, ...place('redis') }),
  ]);
  if (postgres.status === 'rejected' || redis.status === 'rejected') {
    await Promise.all([postgres, redis].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw postgres.status === 'rejected'
      ? postgres.reason
      : /** @type {PromiseRejectedResult} */ (redis).reason;
  }
  /** @type {Promise<void> | undefined} */
  let stopping;
  return {
    databaseUrl: postgres.value.url,
    redisUrl: redis.value.url,
    notes: [...postgres.value.notes, ...redis.value.notes],
    stop: () => (stopping ??= Promise.all([postgres.value.stop(), redis.value.stop()]).then(() => {})),
  };
}

/** `path` relative to the working directory when inside it. @param {string} path */
function shown(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
