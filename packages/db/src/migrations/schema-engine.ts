import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import {
  migrationLockFileName,
  postgresMigrationLock,
  readMigrationFiles,
  readMigrationLock,
} from './migration-files.js';
import { defaultMigrationsDir, defaultSchemaPath } from './repo-paths.js';
import { withSchemaEngine } from './run-schema-engine.js';

export interface SchemaEngineOptions {
  /** A database the engine connects to; shadow databases are created and dropped on the same server. */
  connectionString: string;
  /** Defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
  /** Defaults to the repository's prisma/schema.prisma. */
  schemaPath?: string;
  log?: (line: string) => void;
}

export interface CreateMigrationOptions extends SchemaEngineOptions {
  name: string;
  /** Timestamp for the directory name; defaults to now. */
  now?: Date;
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * The SQL that would take a database built from the committed migrations to prisma/schema.prisma, as
 * `prisma migrate diff --from-migrations --to-schema --script` renders it; '' when they agree.
 */
export async function diffSchemaAgainstMigrations(options: SchemaEngineOptions): Promise<string> {
  const schemaPath = options.schemaPath ?? defaultSchemaPath;
  const schema = await readFile(schemaPath, 'utf8');
  const migrationsList = await engineMigrationsList(options.migrationsDir ?? defaultMigrationsDir);
  return withSchemaEngine(
    { connectionString: options.connectionString, schemaFiles: [[schemaPath, schema]], log: options.log },
    async (engine) => {
      // The migrations are replayed on a shadow database; exitCode 2 means the two schemas differ.
      const result = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: true,
        filters: noFilters,
      });
      return result.exitCode === 2 ? (result.stdout ?? '') : '';
    },
  );
}

/**
 * `prisma migrate dev --create-only` without the native engine: writes
 * `<migrationsDir>/<yyyymmddhhmmss>_<name>/migration.sql` (and migration_lock.toml when missing).
 * Returns null and writes nothing when the migrations already match the schema.
 */
export async function createMigration(
  options: CreateMigrationOptions,
): Promise<{ migrationName: string; file: string } | null> {
  const slug = migrationSlug(options.name);
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const script = await diffSchemaAgainstMigrations({ ...options, migrationsDir });
  if (script === '') return null;

  const migrationName = `${migrationTimestamp(options.now ?? new Date())}_${slug}`;
  const directory = path.join(migrationsDir, migrationName);
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(directory).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new Error(`Migration directory already exists: ${directory}`) : error;
  });
  const file = path.join(directory, 'migration.sql');
  await writeFile(file, script, 'utf8');
  if ((await readMigrationLock(migrationsDir)) === null) {
    await writeFile(path.join(migrationsDir, migrationLockFileName), postgresMigrationLock, 'utf8');
  }
  options.log?.(`created ${file}`);
  return { migrationName, file };
}

async function engineMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const [migrations, lock] = await Promise.all([
    readMigrationFiles(migrationsDir),
    readMigrationLock(migrationsDir),
  ]);
  return {
    baseDir: migrationsDir,
    // The engine learns the provider from the lockfile; before the first migration there is none yet.
    lockfile: { path: migrationLockFileName, content: lock ?? postgresMigrationLock },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.script } },
    })),
  };
}

/** Same shape the Prisma CLI gives names: lower-case words joined by underscores. */
export function migrationSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  if (slug === '') throw new Error(`Invalid migration name "${name}": use letters, digits and underscores`);
  return slug;
}

/** UTC yyyymmddhhmmss, as the schema engine names migration directories. */
function migrationTimestamp(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}
