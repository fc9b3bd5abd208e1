import { applyMigrations } from '../../packages/db/src/migrations/apply-migrations.js';
import { createDatabase, uniqueDatabaseName } from './postgres-admin.js';

/**
 * One migrated template database per test run; every test file clones it (test-database.ts), so files
 * run in parallel without sharing rows and nothing is left behind (global-teardown.ts drops them all).
 */
export default async function globalSetup(): Promise<void> {
  const template = uniqueDatabaseName('portcullis_test_template');
  const url = await createDatabase(template);
  await applyMigrations({ connectionString: url });
  process.env.PORTCULLIS_TEST_TEMPLATE_DB = template;
}
