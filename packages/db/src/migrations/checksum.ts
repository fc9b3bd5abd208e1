import { createHash } from 'node:crypto';

/** The checksum Prisma stores in `_prisma_migrations.checksum`: lowercase hex SHA-256 of the file's text. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Same tolerance as Prisma's schema engine: a checkout whose line endings git converted (CRLF <-> LF) still
 * matches, so Windows and Unix machines agree about which migrations were edited.
 */
export function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}
