import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { freePort } from '../../../../scripts/dev/free-port.mjs';
import { pingRedis } from '../../../../scripts/dev/redis-ping.mjs';
import { findOnPath } from '../../../../scripts/dev/redis-server.mjs';
import { resolveServices } from '../../../../scripts/dev/resolve-services.mjs';
import { postgresAdminUrl } from '../../../../test/support/postgres-admin.mjs';

const quiet = () => {};

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** True when nothing accepts connections on 127.0.0.1:port any more. */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('resolveServices (npm start development services)', () => {
  it('uses DATABASE_URL as is and leaves found services running on stop()', async () => {
    const services = await resolveServices({
      dataDir: join(tmpdir(), 'portcullis-unused'),
      env: { DATABASE_URL: postgresAdminUrl, PATH: '' },
      log: quiet,
    });
    expect(services.databaseUrl).toBe(postgresAdminUrl);
    expect(services.notes[0]).toMatch(/^PostgreSQL: DATABASE_URL /);
    await services.stop();
    expect((await query(postgresAdminUrl, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    if (services.redisUrl) await expect(pingRedis(services.redisUrl)).resolves.toBeUndefined();
  });

  it('rejects an unreachable DATABASE_URL in one line without its password', async () => {
    const url = `postgres://portcullis:Sup3r-S3cret@127.0.0.1:${await freePort()}/portcullis`;
    const attempt = resolveServices({
      dataDir: tmpdir(),
      env: { DATABASE_URL: url, PATH: '' },
      probeDefaults: false,
      log: quiet,
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^DATABASE_URL \(postgres:\/\/portcullis:\*\*\*@127\.0\.0\.1:\d+\/portcullis\) does not answer: .*ECONNREFUSED/,
    );
    expect(error?.message).not.toContain('Sup3r-S3cret');
    expect(error?.message).not.toContain('\n');
  });

  it('starts embedded PostgreSQL and redis-server in dataDir, restarts on the same data, stops both', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-dev-services-'));
    await chmod(dataDir, 0o755); // as root the cluster runs as user postgres, which must reach dataDir/postgres
    const hasRedisServer = findOnPath('redis-server', process.env.PATH) !== undefined;
    try {
      const first = await resolveServices({
        dataDir,
        env: { PATH: process.env.PATH },
        probeDefaults: false,
        log: quiet,
      });
      try {
        expect(first.notes[0]).toMatch(
          /^PostgreSQL: embedded \(PostgreSQL \d+\) on 127\.0\.0\.1:\d+, .*initialised/,
        );
        expect(portOf(first.databaseUrl)).not.toBe(5432);
        const { rows } = await query(first.databaseUrl, 'SELECT 1 AS one, current_database() AS db');
        expect(rows).toEqual([{ one: 1, db: 'portcullis_dev' }]);
        await query(first.databaseUrl, 'CREATE TABLE kept (id int)');
        if (hasRedisServer) {
          expect(first.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
          expect(portOf(first.redisUrl ?? '')).not.toBe(6379);
          await expect(pingRedis(first.redisUrl ?? '')).resolves.toBeUndefined();
        }
      } finally {
        await first.stop();
      }
      expect(await portClosed(portOf(first.databaseUrl))).toBe(true);
      if (first.redisUrl) expect(await portClosed(portOf(first.redisUrl))).toBe(true);

      // Same data dir again, without redis-server on PATH: no initdb, the table is still there, Redis is absent.
      const second = await resolveServices({ dataDir, env: { PATH: '' }, probeDefaults: false, log: quiet });
      try {
        expect(second.notes[0]).toMatch(/^PostgreSQL: embedded .*\(started in [^,]*\)$/);
        expect((await query(second.databaseUrl, 'SELECT count(*)::int AS n FROM kept')).rows).toEqual([
          { n: 0 },
        ]);
        expect(second.redisUrl).toBeUndefined();
        expect(second.notes[1]).toMatch(
          /^Redis: none .*get it with: (apt-get install redis-server|brew install redis)/,
        );
      } finally {
        await second.stop();
      }
      expect(await portClosed(portOf(second.databaseUrl))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
