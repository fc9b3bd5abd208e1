// @ts-check
import { withAdminClient } from './postgres-admin.mjs';

/** Drops the template and every database cloned from it during this run (their names carry the run's pid). */
export default async function globalTeardown() {
  const template = process.env.PORTCULLIS_TEST_TEMPLATE_DB;
  if (!template) return;
  const runPid = template.slice('portcullis_test_template_'.length).split('_')[0];
  await withAdminClient(async (client) => {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2',
      [template, `portcullis\\_t\\_${runPid}\\_%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
