// @ts-check
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@portcullis/db';
import { Redis } from 'ioredis';
import { ensureDatabase, withClient } from '../../dev/postgres-client.mjs';
import { resolveServices } from '../../dev/resolve-services.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * PostgreSQL and Redis exactly as `npm start` finds them (DATABASE_URL / REDIS_URL, else the local
 * servers, else embedded ones), with a database and a Redis key prefix of this run's own, both removed by
 * `cleanups` at the end; plus a temp directory for logs and credentials.
 * @param {{ push: (stop: () => Promise<void>) => void }} cleanups
 */
export async function setUpBenchServices(cleanups) {
  const workDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  const services = await resolveServices({ dataDir: join(root, '.data'), log: () => {} });
  cleanups.push(services.stop);
  const redisUrl = services.redisUrl;
  if (!redisUrl)
    throw new Error(`no Redis found: set REDIS_URL or install redis-server (${services.notes.join('; ')})`);
  const databaseName = `portcullis_bench_${process.pid}`;
  const databaseUrl = await ensureDatabase(services.databaseUrl, databaseName);
  cleanups.push(() =>
    withClient(services.databaseUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(databaseName)} WITH (FORCE)`);
    }),
  );
  await applyMigrations({ connectionString: databaseUrl, log: () => {} });
  const keyPrefix = `portcullis-bench:${process.pid}:`;
  cleanups.push(() => deleteKeys(redisUrl, keyPrefix));
  const own = `this run's own database ${databaseName} and key prefix ${keyPrefix}, removed at the end`;
  return { workDir, databaseUrl, redisUrl, keyPrefix, notes: [...services.notes, own] };
}

/** Deletes this run's keys (SCAN + DEL, never FLUSHDB: the Redis may be shared). @param {string} url @param {string} keyPrefix */
async function deleteKeys(url, keyPrefix) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
