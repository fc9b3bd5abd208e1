#!/usr/bin/env node
// The one place in packages/db that reads the environment: the library functions take a connection string.
import { applyMigrations } from '../migrations/apply-migrations.js';
import { createMigration, diffSchemaAgainstMigrations } from '../migrations/schema-engine.js';

const usage = `usage: migrate <command>   (reads DATABASE_URL)
  deploy        apply the committed prisma/migrations not yet applied
  create NAME   write a new migration from the changes in prisma/schema.prisma
  check         exit 1 and print the SQL when prisma/schema.prisma and prisma/migrations disagree`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === '-h' || command === '--help' || command === 'help') {
    out(usage);
    return 0;
  }
  const known =
    ((command === 'deploy' || command === 'check') && rest.length === 0) ||
    (command === 'create' && rest.length === 1);
  if (!known) {
    err(usage);
    return 2;
  }
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    err('migrate: DATABASE_URL is not set');
    return 2;
  }

  if (command === 'deploy') {
    await applyMigrations({ connectionString, log: out });
    return 0;
  }
  if (command === 'create') {
    const created = await createMigration({ connectionString, name: rest[0] ?? '' });
    out(
      created
        ? `created ${created.file}`
        : 'no changes: prisma/migrations already matches prisma/schema.prisma',
    );
    return 0;
  }
  const diff = await diffSchemaAgainstMigrations({ connectionString });
  if (diff === '') {
    out('ok: prisma/migrations matches prisma/schema.prisma');
    return 0;
  }
  out(diff.trimEnd());
  err(
    'migrate: prisma/schema.prisma has changes no migration contains; run `migrate create <name>` and commit it',
  );
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    err(`migrate: ${message.replace(/\s*\n\s*/g, ' ')}`);
    process.exitCode = 1;
  },
);
