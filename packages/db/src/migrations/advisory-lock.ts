import type pg from 'pg';

/**
 * The key Prisma's schema engine locks on PostgreSQL, so this runner also excludes a concurrent
 * `prisma migrate deploy`, not only other instances of itself.
 */
const prismaMigrateLockKey = 72707369;

/** Session-level lock: it must outlive the per-migration transactions run on the same connection. */
export async function withMigrationLock<T>(
  client: pg.ClientBase,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    prismaMigrateLockKey,
  ]);
  if (!rows[0]?.locked) {
    log('another process is migrating this database; waiting for it to finish');
    await client.query('SELECT pg_advisory_lock($1)', [prismaMigrateLockKey]);
  }
  try {
    return await work();
  } finally {
    // A broken connection has released the lock already; its error must not hide the one from work().
    await client.query('SELECT pg_advisory_unlock($1)', [prismaMigrateLockKey]).catch(() => undefined);
  }
}
