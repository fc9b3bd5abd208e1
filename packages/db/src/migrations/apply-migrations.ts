import pg from 'pg';
import { withMigrationLock } from './advisory-lock.js';
import { checksumMatches, migrationChecksum } from './checksum.js';
import { type MigrationFile, readMigrationFiles } from './migration-files.js';
import {
  ensureHistoryTable,
  type HistoryRow,
  readHistory,
  recordApplied,
  recordRolledBack,
} from './migration-history.js';
import { defaultMigrationsDir } from './repo-paths.js';

export interface ApplyMigrationsOptions {
  connectionString: string;
  /** Defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * `prisma migrate deploy` without the native schema engine: applies the committed migration.sql files that the
 * database has not seen, in order, each in its own transaction, under Prisma's advisory lock, recording them in
 * Prisma's `_prisma_migrations` history.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrationFiles(options.migrationsDir ?? defaultMigrationsDir);
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    return await withMigrationLock(client, log, async () => {
      await ensureHistoryTable(client);
      const history = await readHistory(client);
      assertHistoryUsable(history, migrations, log);
      const done = new Set(history.map((row) => row.migrationName));
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => !done.has(m.name))) {
        await applyOne(client, migration);
        log(`applied migration ${migration.name}`);
        applied.push(migration.name);
      }
      if (applied.length === 0) log('database is up to date');
      return { applied };
    });
  } finally {
    await client.end();
  }
}

function assertHistoryUsable(
  history: HistoryRow[],
  migrations: MigrationFile[],
  log: (line: string) => void,
): void {
  const failed = history.filter((row) => row.finishedAt === null);
  if (failed.length > 0) {
    const names = failed.map((row) => row.migrationName).join(', ');
    throw new Error(
      `Refusing to migrate: migration ${names} failed earlier and may be partly applied. Repair the database, then ` +
        `run \`prisma migrate resolve --rolled-back <name>\` (or --applied). Logs: ${failed[0]?.logs ?? 'none'}`,
    );
  }
  const scripts = new Map(migrations.map((m) => [m.name, m.script]));
  const edited = history.filter((row) => {
    const script = scripts.get(row.migrationName);
    return script !== undefined && !checksumMatches(script, row.checksum);
  });
  if (edited.length > 0) {
    const names = edited.map((row) => row.migrationName).join(', ');
    throw new Error(
      `Refusing to migrate: migration ${names} was modified after it was applied (checksum mismatch). ` +
        'Restore the applied migration.sql and put the change in a new migration.',
    );
  }
  // Not fatal: during a rolling deploy an older release may start after a newer one has migrated.
  for (const row of history.filter((r) => !scripts.has(r.migrationName))) {
    log(`warning: migration ${row.migrationName} is applied but not present in the migrations directory`);
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const checksum = migrationChecksum(migration.script);
  await client.query('BEGIN');
  try {
    // Simple-query protocol (no parameters): the whole multi-statement script in one round trip.
    await client.query(migration.script);
    await recordApplied(client, migration.name, checksum);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    await recordRolledBack(client, migration.name, checksum, message).catch(() => undefined);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}`, { cause: error });
  }
}
