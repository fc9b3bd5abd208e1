import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  createDatabase,
  dropDatabase,
  uniqueDatabaseName,
} from '../../../../test/support/postgres-admin.mjs';
import { applyMigrations } from '../../src/migrations/apply-migrations.js';
import { migrationChecksum } from '../../src/migrations/checksum.js';
import { readMigrationFiles } from '../../src/migrations/migration-files.js';
import { defaultMigrationsDir } from '../../src/migrations/repo-paths.js';
import { withSchemaEngine } from '../../src/migrations/run-schema-engine.js';
import { createMigration, diffSchemaAgainstMigrations } from '../../src/migrations/schema-engine.js';

const engineTimeout = 60_000;
const created: string[] = [];
const tempDirs: string[] = [];

async function scratchDatabase(): Promise<string> {
  const name = uniqueDatabaseName('portcullis_migrations');
  created.push(name);
  return createDatabase(name);
}

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-migrations-'));
  tempDirs.push(dir);
  return dir;
}

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const history = (url: string) =>
  query<HistoryRow>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

let committed: { name: string; script: string }[];

beforeAll(async () => {
  committed = await readMigrationFiles(defaultMigrationsDir);
});

afterAll(async () => {
  for (const name of created) await dropDatabase(name);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe('applyMigrations', () => {
  it('creates the tables and a Prisma-compatible history on an empty database', async () => {
    const url = await scratchDatabase();
    const { applied } = await applyMigrations({ connectionString: url });

    expect(committed.length).toBeGreaterThan(0);
    expect(applied).toEqual(committed.map((m) => m.name));
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'roles',
        'clients',
        'signing_keys',
        'oidc_artifacts',
        '_prisma_migrations',
      ]),
    );
    const rows = await history(url);
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      committed.map((m) => [m.name, migrationChecksum(m.script), 1]),
    );
    expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
  });

  it('is a no-op the second time', async () => {
    const url = await scratchDatabase();
    await applyMigrations({ connectionString: url });
    const before = await history(url);

    await expect(applyMigrations({ connectionString: url })).resolves.toEqual({ applied: [] });
    expect(await history(url)).toEqual(before);
  });

  it('applies once when two processes start at the same time', async () => {
    const url = await scratchDatabase();
    const results = await Promise.all([
      applyMigrations({ connectionString: url }),
      applyMigrations({ connectionString: url }),
    ]);

    expect(results.flatMap((r) => r.applied).sort()).toEqual(committed.map((m) => m.name).sort());
    expect((await history(url)).length).toBe(committed.length);
  });

  it('refuses when an applied migration no longer matches its file', async () => {
    const url = await scratchDatabase();
    await applyMigrations({ connectionString: url });
    await query(url, `UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [
      '0'.repeat(64),
      committed[0]?.name,
    ]);

    await expect(applyMigrations({ connectionString: url })).rejects.toThrow(/modified after it was applied/);
  });

  it('refuses while a previous migration is marked failed', async () => {
    const url = await scratchDatabase();
    await applyMigrations({ connectionString: url });
    await query(url, `UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1`, [
      committed[0]?.name,
    ]);

    await expect(applyMigrations({ connectionString: url })).rejects.toThrow(/failed earlier/);
  });

  it('rolls a failing migration back, keeps it as a rolled-back audit row, and retries it next time', async () => {
    const url = await scratchDatabase();
    const dir = await scratchDir();
    const file = path.join(dir, '20000101000000_broken', 'migration.sql');
    await mkdir(path.dirname(file));
    await writeFile(file, 'CREATE TABLE half_done (id int);\nCREATE TABLE broken (id no_such_type);\n');

    await expect(applyMigrations({ connectionString: url, migrationsDir: dir })).rejects.toThrow(
      /rolled back/,
    );
    expect(await query(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
    expect((await history(url)).map((r) => r.rolled_back_at !== null)).toEqual([true]);

    await writeFile(file, 'CREATE TABLE half_done (id int);\n');
    await expect(applyMigrations({ connectionString: url, migrationsDir: dir })).resolves.toEqual({
      applied: ['20000101000000_broken'],
    });
  });
});

describe('schema engine tooling', () => {
  it(
    'finds no difference between the committed migrations and prisma/schema.prisma',
    async () => {
      const url = await scratchDatabase();
      expect(await diffSchemaAgainstMigrations({ connectionString: url })).toBe('');
    },
    engineTimeout,
  );

  it(
    "leaves a history that Prisma's own engine reads as applied and unedited",
    async () => {
      const url = await scratchDatabase();
      await applyMigrations({ connectionString: url });
      const lock = await readFile(path.join(defaultMigrationsDir, 'migration_lock.toml'), 'utf8');

      const diagnosis = await withSchemaEngine({ connectionString: url, schemaFiles: [] }, (engine) =>
        engine.diagnoseMigrationHistory({
          migrationsList: {
            baseDir: defaultMigrationsDir,
            lockfile: { path: 'migration_lock.toml', content: lock },
            shadowDbInitScript: '',
            migrationDirectories: committed.map((m) => ({
              path: m.name,
              migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.script } },
            })),
          },
          optInToShadowDatabase: false,
          filters: { externalTables: [], externalEnums: [] },
        }),
      );
      expect(diagnosis).toMatchObject({
        history: null,
        failedMigrationNames: [],
        editedMigrationNames: [],
        hasMigrationsTable: true,
      });
    },
    engineTimeout,
  );

  it(
    'creates a first migration and lockfile in an empty directory, then nothing once they match',
    async () => {
      const url = await scratchDatabase();
      const dir = await scratchDir();
      const now = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));

      const first = await createMigration({
        connectionString: url,
        migrationsDir: dir,
        name: 'Init schema',
        now,
      });
      expect(first?.migrationName).toBe('20300102030405_init_schema');
      expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain(
        'provider = "postgresql"',
      );
      expect(await readFile(path.join(dir, '20300102030405_init_schema', 'migration.sql'), 'utf8')).toContain(
        'CREATE TABLE "users"',
      );

      await expect(
        createMigration({ connectionString: url, migrationsDir: dir, name: 'again' }),
      ).resolves.toBeNull();
    },
    engineTimeout,
  );
});
