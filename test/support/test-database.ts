import { createPrismaClient, type PrismaClient } from '@portcullis/db';
import { createDatabase, dropDatabase } from './postgres-admin.mjs';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template (milliseconds, not a
 * migration run). Names carry the jest parent pid so the global teardown finds leftovers of a crashed file.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.PORTCULLIS_TEST_TEMPLATE_DB;
  if (!template)
    throw new Error('PORTCULLIS_TEST_TEMPLATE_DB is unset: run the tests through jest (npm test)');
  const runPid = template.slice('portcullis_test_template_'.length).split('_')[0];
  const name = `portcullis_t_${runPid}_${Math.random().toString(36).slice(2, 10)}`;
  const url = await createDatabase(name, template);
  return { url, drop: () => dropDatabase(name) };
}

export interface TestPrismaDatabase {
  prisma: PrismaClient;
  /** Disconnects, then drops the database. */
  close(): Promise<void>;
}

/** createTestDatabase plus a Prisma client on it: what a repository test needs, torn down in one call. */
export async function openTestPrismaDatabase({ poolMax = 2 } = {}): Promise<TestPrismaDatabase> {
  const database = await createTestDatabase();
  const prisma = createPrismaClient({ databaseUrl: database.url, poolMax });
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}
