import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import {
  createItem,
  deleteItem,
  findItem,
  InvalidCursorError,
  type ItemRecord,
  itemStatistics,
  listItems,
  updateItem,
} from '../../src/repositories/items.js';

const alice = randomUUID();
const bob = randomUUID();
const service = 'inventory-sync';

/** The items repository against real PostgreSQL. */
describe('items repository', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());
  beforeEach(async () => {
    await prisma.item.deleteMany();
  });

  /** Rows with distinct, known creation times: the order the tests expect does not hang on the clock. */
  async function seed(
    count: number,
    ownerOf: (index: number) => string = () => alice,
  ): Promise<ItemRecord[]> {
    const base = Date.UTC(2030, 0, 1);
    const items: ItemRecord[] = [];
    for (let index = 0; index < count; index++) {
      const item = await createItem(prisma, { ownerId: ownerOf(index), name: `item ${index}` });
      await prisma.item.update({
        where: { id: item.id },
        data: { createdAt: new Date(base + index * 1000) },
      });
      items.push({ ...item, createdAt: new Date(base + index * 1000) });
    }
    return items;
  }

  describe('createItem and findItem', () => {
    it('creates an item with an empty default description and finds it by id', async () => {
      const created = await createItem(prisma, { ownerId: alice, name: 'Lamp' });

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        ownerId: alice,
        name: 'Lamp',
        description: '',
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(await findItem(prisma, created.id)).toEqual(created);
    });

    it('accepts a client id as owner and keeps a given description', async () => {
      const created = await createItem(prisma, { ownerId: service, name: 'Desk', description: 'oak' });
      expect(await findItem(prisma, created.id)).toMatchObject({ ownerId: service, description: 'oak' });
    });

    it('answers null for an unknown id and for an id that is not a uuid, without a database error', async () => {
      expect(await findItem(prisma, randomUUID())).toBeNull();
      expect(await findItem(prisma, 'not-a-uuid')).toBeNull();
      expect(await findItem(prisma, "'; DROP TABLE items; --")).toBeNull();
    });
  });

  describe('listItems', () => {
    it('pages through 25 items, 10 at a time, in (createdAt, id) order without duplicates or gaps', async () => {
      const seeded = await seed(25);

      const pages: ItemRecord[][] = [];
      let after: string | undefined;
      do {
        const page = await listItems(prisma, { limit: 10, after });
        pages.push(page.items);
        after = page.nextCursor ?? undefined;
      } while (after !== undefined && pages.length < 10);

      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((item) => item.id)).toEqual(seeded.map((item) => item.id));
    });

    it('orders by id among items created in the same millisecond, and a cursor resumes inside the tie', async () => {
      const seeded = await seed(6);
      const tie = new Date(Date.UTC(2030, 5, 1));
      await prisma.item.updateMany({ data: { createdAt: tie } });
      const byId = seeded.map((item) => item.id).sort();

      const first = await listItems(prisma, { limit: 4 });
      expect(first.items.map((item) => item.id)).toEqual(byId.slice(0, 4));
      const second = await listItems(prisma, { limit: 4, after: first.nextCursor ?? undefined });
      expect(second.items.map((item) => item.id)).toEqual(byId.slice(4));
      expect(second.nextCursor).toBeNull();
    });

    it('gives no next cursor when the page holds exactly the remaining items', async () => {
      await seed(10);
      const page = await listItems(prisma, { limit: 10 });
      expect(page.items).toHaveLength(10);
      expect(page.nextCursor).toBeNull();
      expect(await listItems(prisma, { limit: 10 })).toEqual(page);
    });

    it('keeps its place when the item the cursor points at is deleted', async () => {
      const seeded = await seed(5);
      const first = await listItems(prisma, { limit: 2 });
      await deleteItem(prisma, seeded[1]!.id);

      const rest = await listItems(prisma, { limit: 10, after: first.nextCursor ?? undefined });
      expect(rest.items.map((item) => item.id)).toEqual(seeded.slice(2).map((item) => item.id));
    });

    it.each([
      ['not base64url', '***'],
      ['garbage', Buffer.from('hello').toString('base64url')],
      ['a bad date', Buffer.from(`yesterday|${randomUUID()}`).toString('base64url')],
      ['a non-uuid id', Buffer.from('2030-01-01T00:00:00.000Z|42').toString('base64url')],
      ['extra fields', Buffer.from(`2030-01-01T00:00:00.000Z|${randomUUID()}|x`).toString('base64url')],
      ['a non-canonical date', Buffer.from(`2030-01-01T00:00:00Z|${randomUUID()}`).toString('base64url')],
      ['an empty string', ''],
    ])('rejects a cursor with %s', async (_label, after) => {
      await expect(listItems(prisma, { limit: 10, after })).rejects.toThrow(InvalidCursorError);
    });

    it('gives InvalidCursorError a stable code', async () => {
      await expect(listItems(prisma, { limit: 10, after: 'x' })).rejects.toMatchObject({
        name: 'InvalidCursorError',
        code: 'ERR_DB_INVALID_CURSOR',
      });
    });

    it('rejects a limit that is not a positive integer', async () => {
      await expect(listItems(prisma, { limit: 0 })).rejects.toThrow(RangeError);
      await expect(listItems(prisma, { limit: 2.5 })).rejects.toThrow(RangeError);
    });

    it('searches names case-insensitively, treating % and _ literally', async () => {
      const lamp = await createItem(prisma, { ownerId: alice, name: 'Desk LAMP' });
      const percent = await createItem(prisma, { ownerId: alice, name: '100% wool_blend' });
      await createItem(prisma, { ownerId: alice, name: 'Chair' });
      await createItem(prisma, { ownerId: alice, name: '100 wool blend' });

      const ids = async (search: string) =>
        (await listItems(prisma, { limit: 10, search })).items.map((item) => item.id);
      expect(await ids('lamp')).toEqual([lamp.id]);
      expect(await ids('% WOOL_')).toEqual([percent.id]);
      expect(await ids('_')).toEqual([percent.id]);
      expect(await ids('nothing like it')).toEqual([]);
    });

    it('filters by owner, and pages within an owner', async () => {
      const seeded = await seed(9, (index) => [alice, bob, service][index % 3]!);
      const ownedBy = (owner: string) =>
        seeded.filter((item) => item.ownerId === owner).map((item) => item.id);

      const first = await listItems(prisma, { limit: 2, ownerId: bob });
      const second = await listItems(prisma, {
        limit: 2,
        ownerId: bob,
        after: first.nextCursor ?? undefined,
      });
      expect([...first.items, ...second.items].map((item) => item.id)).toEqual(ownedBy(bob));
      expect(second.nextCursor).toBeNull();
      expect((await listItems(prisma, { limit: 10, ownerId: service })).items.map((item) => item.id)).toEqual(
        ownedBy(service),
      );
      expect((await listItems(prisma, { limit: 10, ownerId: 'nobody' })).items).toEqual([]);
    });

    it('combines owner filter and search', async () => {
      const mine = await createItem(prisma, { ownerId: alice, name: 'Red lamp' });
      await createItem(prisma, { ownerId: bob, name: 'Blue lamp' });
      const page = await listItems(prisma, { limit: 10, ownerId: alice, search: 'LAMP' });
      expect(page.items.map((item) => item.id)).toEqual([mine.id]);
    });
  });

  describe('updateItem', () => {
    it('changes the given fields only and bumps updatedAt', async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp', description: 'brass' });
      const stale = new Date(Date.UTC(2020, 0, 1));
      await prisma.item.update({ where: { id: item.id }, data: { updatedAt: stale } });

      const updated = await updateItem(prisma, item.id, { name: 'Desk lamp' });
      expect(updated).toMatchObject({ id: item.id, ownerId: alice, name: 'Desk lamp', description: 'brass' });
      expect(updated!.updatedAt.getTime()).toBeGreaterThan(stale.getTime());
      expect(updated!.createdAt).toEqual(item.createdAt);
      expect(await findItem(prisma, item.id)).toEqual(updated);
    });

    it("updates the owner's own item when ownerId is given", async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp' });
      const updated = await updateItem(prisma, item.id, { description: 'mine' }, { ownerId: alice });
      expect(updated).toMatchObject({ id: item.id, description: 'mine' });
    });

    it("leaves another owner's item unchanged and answers null", async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp' });
      expect(await updateItem(prisma, item.id, { name: 'Stolen' }, { ownerId: bob })).toBeNull();
      expect(await findItem(prisma, item.id)).toEqual(item);
    });

    it('answers null for an unknown or non-uuid id', async () => {
      expect(await updateItem(prisma, randomUUID(), { name: 'x' })).toBeNull();
      expect(await updateItem(prisma, 'nope', { name: 'x' })).toBeNull();
    });

    it('with no changes, answers the item as it is, still honouring the owner', async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp' });
      expect(await updateItem(prisma, item.id, {}, { ownerId: alice })).toEqual(item);
      expect(await updateItem(prisma, item.id, {}, { ownerId: bob })).toBeNull();
    });
  });

  describe('deleteItem', () => {
    it("refuses another owner's item and keeps the row", async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp' });
      expect(await deleteItem(prisma, item.id, { ownerId: bob })).toBe(false);
      expect(await findItem(prisma, item.id)).toEqual(item);
    });

    it("deletes the owner's item once", async () => {
      const item = await createItem(prisma, { ownerId: alice, name: 'Lamp' });
      expect(await deleteItem(prisma, item.id, { ownerId: alice })).toBe(true);
      expect(await findItem(prisma, item.id)).toBeNull();
      expect(await deleteItem(prisma, item.id, { ownerId: alice })).toBe(false);
    });

    it('deletes without an owner condition, and answers false for unknown or non-uuid ids', async () => {
      const item = await createItem(prisma, { ownerId: service, name: 'Lamp' });
      expect(await deleteItem(prisma, item.id)).toBe(true);
      expect(await deleteItem(prisma, randomUUID())).toBe(false);
      expect(await deleteItem(prisma, 'nope')).toBe(false);
    });
  });

  describe('itemStatistics', () => {
    it('is all zero on an empty table', async () => {
      expect(await itemStatistics(prisma)).toEqual({ total: 0, owners: 0, createdLast24h: 0, topOwners: [] });
    });

    it('counts items, distinct owners, recent items, and the top five owners', async () => {
      const now = new Date(Date.UTC(2030, 0, 10, 12));
      const counts: [string, number][] = [
        ['owner-a', 4],
        ['owner-b', 6],
        ['owner-c', 1],
        ['owner-d', 3],
        ['owner-e', 3],
        ['owner-f', 2],
        ['owner-g', 1],
      ];
      for (const [ownerId, count] of counts)
        for (let index = 0; index < count; index++) await createItem(prisma, { ownerId, name: 'x' });
      // 5 items inside the last 24 hours (one just inside the edge), the rest older or just outside it.
      const ids = (await prisma.item.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
        (i) => i.id,
      );
      const at = (offsetMs: number) => new Date(now.getTime() - offsetMs);
      for (const [index, id] of ids.entries()) {
        const createdAt =
          index < 4 ? at(index * 3_600_000) : index === 4 ? at(24 * 3_600_000 - 1) : at(24 * 3_600_000);
        await prisma.item.update({ where: { id }, data: { createdAt } });
      }

      expect(await itemStatistics(prisma, now)).toEqual({
        total: 20,
        owners: 7,
        createdLast24h: 5,
        topOwners: [
          { ownerId: 'owner-b', items: 6 },
          { ownerId: 'owner-a', items: 4 },
          { ownerId: 'owner-d', items: 3 },
          { ownerId: 'owner-e', items: 3 },
          { ownerId: 'owner-f', items: 2 },
        ],
      });
    });
  });
});
