import { fileURLToPath } from 'node:url';

// Resolved from this file, not the working directory: src/migrations/ (jest) and dist/migrations/ (built) are
// both three levels below the repo root, so the same relative URL works from either.
export const defaultMigrationsDir = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));
export const defaultSchemaPath = fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url));
