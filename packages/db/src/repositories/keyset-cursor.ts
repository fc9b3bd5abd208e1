/**
 * Keyset pagination shared by every admin and items list: an opaque cursor naming the last row's
 * timestamp and id, and literal search terms for LIKE.
 */

/** A cursor this module did not issue, or a damaged one. Stable `code` for the app to map to a 400. */
export class InvalidCursorError extends Error {
  readonly code = 'ERR_DB_INVALID_CURSOR';
  constructor() {
    super('invalid pagination cursor');
    this.name = 'InvalidCursorError';
  }
}

/** base64url of `<ISO timestamp>|<id>`. */
export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

/**
 * Accepts only the exact bytes encodeKeysetCursor produces, so a cursor has one spelling. An ISO date never
 * holds `|`, so the first one separates: ids may contain it (client ids do).
 */
export function decodeKeysetCursor(
  cursor: string,
  isValidId: (id: string) => boolean,
): { at: Date; id: string } {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const separator = decoded.indexOf('|');
  if (separator < 0) throw new InvalidCursorError();
  const at = new Date(decoded.slice(0, separator));
  const id = decoded.slice(separator + 1);
  if (!isValidId(id) || Number.isNaN(at.getTime()) || encodeKeysetCursor(at, id) !== cursor) {
    throw new InvalidCursorError();
  }
  return { at, id };
}

/** Prisma's `contains` puts the value between `%` unescaped; PostgreSQL's LIKE escape character is `\`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}
