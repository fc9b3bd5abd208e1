import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * The `_prisma_migrations` table exactly as Prisma's schema engine creates it on PostgreSQL, so that
 * `prisma migrate status|deploy|resolve` on a machine with the native engine reads and extends the same history.
 */
const createHistoryTable = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface HistoryRow {
  migrationName: string;
  checksum: string;
  finishedAt: Date | null;
  logs: string | null;
}

export async function ensureHistoryTable(client: pg.ClientBase): Promise<void> {
  await client.query(createHistoryTable);
}

/** Rows that count: one marked rolled back (`prisma migrate resolve --rolled-back`) is only an audit trail. */
export async function readHistory(client: pg.ClientBase): Promise<HistoryRow[]> {
  const { rows } = await client.query<{
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    logs: string | null;
  }>(
    `SELECT migration_name, checksum, finished_at, logs FROM _prisma_migrations
     WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
  );
  return rows.map((row) => ({
    migrationName: row.migration_name,
    checksum: row.checksum,
    finishedAt: row.finished_at,
    logs: row.logs,
  }));
}

export async function recordApplied(client: pg.ClientBase, name: string, checksum: string): Promise<void> {
  // clock_timestamp(): inside the migration's transaction now() would equal started_at.
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
    [randomUUID(), checksum, name],
  );
}

/**
 * The migration ran in a transaction that was rolled back, so the database is as before it: keep the error as
 * an audit row already marked rolled back, which Prisma ignores, rather than a failed row that blocks deploys.
 */
export async function recordRolledBack(
  client: pg.ClientBase,
  name: string,
  checksum: string,
  logs: string,
): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, rolled_back_at)
     VALUES ($1, $2, $3, $4, now(), now())`,
    [randomUUID(), checksum, name, logs],
  );
}
