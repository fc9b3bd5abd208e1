import type { Prisma, PrismaClient } from '../generated/client.js';
import { decodeKeysetCursor, encodeKeysetCursor, escapeLike } from './keyset-cursor.js';
import { isUuid } from './users.js';

/** One row of the resource server's example `items` API. */
export { InvalidCursorError } from './keyset-cursor.js';

export interface ItemRecord {
  id: string;
  /** The token subject that created it: a user id or a client id. */
  ownerId: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewItem {
  ownerId: string;
  /** 1..200 characters; the app validates it. */
  name: string;
  description?: string | undefined;
}

export interface ItemListQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  /** Only items of this owner. */
  ownerId?: string | undefined;
  /** Case-insensitive substring of the name, matched literally (`%` and `_` are not wildcards). */
  search?: string | undefined;
}

export interface ItemPage {
  items: ItemRecord[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ItemChanges {
  name?: string | undefined;
  description?: string | undefined;
}

export interface ItemOwnership {
  /** When given, the item is changed only if it belongs to this owner, in the same statement. */
  ownerId?: string | undefined;
}

export interface ItemStatistics {
  total: number;
  /** Distinct owners holding at least one item. */
  owners: number;
  createdLast24h: number;
  /** The five owners with most items, most first (ties by owner id). */
  topOwners: { ownerId: string; items: number }[];
}

const itemFields = {
  id: true,
  ownerId: true,
  name: true,
  description: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.ItemSelect;

const dayMs = 24 * 60 * 60 * 1000;

/**
 * @example
 * const item = await createItem(prisma, { ownerId: token.sub, name: 'Lamp' });
 */
export async function createItem(prisma: PrismaClient, input: NewItem): Promise<ItemRecord> {
  return prisma.item.create({
    data: { ownerId: input.ownerId, name: input.name, description: input.description ?? '' },
    select: itemFields,
  });
}

/** The item, or null: an id that is not a uuid finds nothing instead of making PostgreSQL raise. */
export async function findItem(prisma: PrismaClient, id: string): Promise<ItemRecord | null> {
  if (!isUuid(id)) return null;
  return prisma.item.findUnique({ where: { id }, select: itemFields });
}

/**
 * Keyset pagination in (createdAt, id) order, oldest first: stable while rows are inserted or deleted,
 * and each page is one index range scan however deep it is (no OFFSET).
 *
 * @example
 * const first = await listItems(prisma, { limit: 20, ownerId: token.sub });
 * const second = await listItems(prisma, { limit: 20, ownerId: token.sub, after: first.nextCursor ?? undefined });
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function listItems(prisma: PrismaClient, query: ItemListQuery): Promise<ItemPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`listItems: limit must be a positive integer, got ${query.limit}`);
  }
  const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
  const where: Prisma.ItemWhereInput = {
    ...(query.ownerId !== undefined ? { ownerId: query.ownerId } : {}),
    ...(query.search ? { name: { contains: escapeLike(query.search), mode: 'insensitive' } } : {}),
    // (createdAt, id) > cursor, written with a leading `createdAt >=` so PostgreSQL bounds the index scan.
    ...(cursor
      ? {
          createdAt: { gte: cursor.createdAt },
          OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }],
        }
      : {}),
  };
  const rows = await prisma.item.findMany({
    where,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
    select: itemFields,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/**
 * Applies the changes in one conditional UPDATE: with `ownerId`, another owner's item is left untouched
 * and reported like a missing one (no read-then-write window).
 *
 * @example
 * const updated = await updateItem(prisma, id, { name: 'Desk lamp' }, { ownerId: token.sub });
 * if (!updated) throw new NotFound();
 */
export async function updateItem(
  prisma: PrismaClient,
  id: string,
  changes: ItemChanges,
  options: ItemOwnership = {},
): Promise<ItemRecord | null> {
  if (!isUuid(id)) return null;
  const where = ownedItem(id, options);
  const data = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
  };
  // Nothing to write: answer like an update would, without bumping updatedAt.
  if (Object.keys(data).length === 0) return prisma.item.findFirst({ where, select: itemFields });
  const [updated] = await prisma.item.updateManyAndReturn({ where, data, select: itemFields });
  return updated ?? null;
}

/**
 * One conditional DELETE; false when the item does not exist or, with `ownerId`, belongs to someone else.
 *
 * @example
 * if (!(await deleteItem(prisma, id, { ownerId: token.sub }))) throw new NotFound();
 */
export async function deleteItem(
  prisma: PrismaClient,
  id: string,
  options: ItemOwnership = {},
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { count } = await prisma.item.deleteMany({ where: ownedItem(id, options) });
  return count > 0;
}

/**
 * Counts read from one REPEATABLE READ snapshot, so they agree with each other.
 *
 * @example
 * const { total, topOwners } = await itemStatistics(prisma);
 */
export async function itemStatistics(prisma: PrismaClient, now: Date = new Date()): Promise<ItemStatistics> {
  // Built outside the tuple: inside $transaction([...]) Prisma's groupBy result type degrades to a union.
  const topOwners = prisma.item.groupBy({
    by: ['ownerId'],
    _count: { _all: true },
    orderBy: [{ _count: { ownerId: 'desc' } }, { ownerId: 'asc' }],
    take: 5,
  });
  const [total, [distinct], createdLast24h, top] = await prisma.$transaction(
    [
      prisma.item.count(),
      prisma.$queryRaw<{ owners: bigint }[]>`SELECT count(DISTINCT "ownerId") AS owners FROM "items"`,
      prisma.item.count({ where: { createdAt: { gt: new Date(now.getTime() - dayMs) } } }),
      topOwners,
    ],
    { isolationLevel: 'RepeatableRead' },
  );
  return {
    total,
    owners: Number(distinct?.owners ?? 0),
    createdLast24h,
    topOwners: top.map((group) => ({ ownerId: group.ownerId, items: group._count._all })),
  };
}

function ownedItem(id: string, options: ItemOwnership): Prisma.ItemWhereInput {
  return options.ownerId === undefined ? { id } : { id, ownerId: options.ownerId };
}

function encodeCursor(item: Pick<ItemRecord, 'createdAt' | 'id'>): string {
  return encodeKeysetCursor(item.createdAt, item.id);
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, isUuid);
  return { createdAt: at, id };
}
