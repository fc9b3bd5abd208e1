import type { Prisma, PrismaClient } from '../generated/client.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
import { isUuid } from './users.js';

/** One row of the audit trail, as the admin API shows it. */
export interface AuditEventRecord {
  id: string;
  type: string;
  occurredAt: Date;
  /** Who acted: a user id, client id or `system`. */
  actor: string | null;
  /** Whom or what it concerns. */
  subject: string | null;
  clientId: string | null;
  ip: string | null;
  /** Non-secret context as recorded (a JSON value), or null. */
  details: unknown;
}

export interface AuditEventQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  actor?: string | undefined;
  subject?: string | undefined;
  clientId?: string | undefined;
  /** One type, or any of several; an empty list matches nothing. */
  type?: string | string[] | undefined;
  /** Inclusive lower bound on occurredAt. */
  since?: Date | undefined;
  /** Exclusive upper bound on occurredAt. */
  until?: Date | undefined;
}

export interface AuditEventPage {
  events: AuditEventRecord[];
  /** Pass as `after` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const auditEventFields = {
  id: true,
  type: true,
  occurredAt: true,
  actor: true,
  subject: true,
  clientId: true,
  ip: true,
  details: true,
} as const satisfies Prisma.AuditEventSelect;

/**
 * Newest first, keyset-paginated in (occurredAt desc, id desc) order: stable while events keep arriving,
 * and every page is one index range scan on the filter's (column, occurredAt) index. Filters combine with AND.
 *
 * @example
 * const page = await queryAuditEvents(prisma, { limit: 50, subject: userId, type: ['login.succeeded', 'login.failed'] });
 * const older = await queryAuditEvents(prisma, { limit: 50, subject: userId, after: page.nextCursor ?? undefined });
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function queryAuditEvents(
  prisma: PrismaClient,
  query: AuditEventQuery,
): Promise<AuditEventPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`queryAuditEvents: limit must be a positive integer, got ${query.limit}`);
  }
  for (const [name, value] of [
    ['since', query.since],
    ['until', query.until],
  ] as const) {
    if (value !== undefined && Number.isNaN(value.getTime())) {
      throw new RangeError(`queryAuditEvents: ${name} is an invalid date`);
    }
  }
  const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
  const conditions: Prisma.AuditEventWhereInput[] = [];
  if (query.actor !== undefined) conditions.push({ actor: query.actor });
  if (query.subject !== undefined) conditions.push({ subject: query.subject });
  if (query.clientId !== undefined) conditions.push({ clientId: query.clientId });
  if (query.type !== undefined) {
    conditions.push({ type: typeof query.type === 'string' ? query.type : { in: query.type } });
  }
  if (query.since !== undefined) conditions.push({ occurredAt: { gte: query.since } });
  if (query.until !== undefined) conditions.push({ occurredAt: { lt: query.until } });
  if (cursor) {
    // (occurredAt, id) < cursor, with a leading `occurredAt <=` so PostgreSQL bounds the index scan.
    conditions.push({
      occurredAt: { lte: cursor.occurredAt },
      OR: [{ occurredAt: { lt: cursor.occurredAt } }, { id: { lt: cursor.id } }],
    });
  }
  const rows = await prisma.auditEvent.findMany({
    where: { AND: conditions },
    orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
    select: auditEventFields,
  });
  const events: AuditEventRecord[] = rows.slice(0, query.limit);
  const last = events.at(-1);
  return { events, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

function encodeCursor(row: Pick<AuditEventRecord, 'occurredAt' | 'id'>): string {
  return encodeKeysetCursor(row.occurredAt, row.id);
}

function decodeCursor(cursor: string): { occurredAt: Date; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, isUuid);
  return { occurredAt: at, id };
}
