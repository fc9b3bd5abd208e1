// @ts-check
import { applyMigrations } from '@portcullis/db';
import { createDatabase, uniqueDatabaseName } from './postgres-admin.mjs';

/**
 * One migrated template database per test run; every test file clones it (test-database.ts), so files
 * run in parallel without sharing rows, and global-teardown.mjs drops them all. Imports the built
 * @portcullis/db: `npm test` builds first.
 */
export default async function globalSetup() {
  const template = uniqueDatabaseName('portcullis_test_template');
  const url = await createDatabase(template);
  await applyMigrations({ connectionString: url });
  process.env.PORTCULLIS_TEST_TEMPLATE_DB = template;
}
