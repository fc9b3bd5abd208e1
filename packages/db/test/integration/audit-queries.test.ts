import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import { recordAuditEvent } from '../../src/repositories/audit-events.js';
import {
  type AuditEventQuery,
  type AuditEventRecord,
  queryAuditEvents,
} from '../../src/repositories/audit-queries.js';
import { InvalidCursorError } from '../../src/repositories/items.js';

const base = Date.UTC(2030, 0, 1);
const at = (second: number) => new Date(base + second * 1000);

interface SeedEvent {
  type?: string;
  actor?: string | null;
  subject?: string | null;
  clientId?: string | null;
  second: number;
}

/** The audit trail query against real PostgreSQL. */
describe('queryAuditEvents', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());
  beforeEach(async () => {
    await prisma.auditEvent.deleteMany();
  });

  /** Events at known instants, answered newest first (the order queryAuditEvents promises). */
  async function seed(events: SeedEvent[]): Promise<AuditEventRecord[]> {
    const records: AuditEventRecord[] = [];
    for (const event of events) {
      records.push(
        await prisma.auditEvent.create({
          data: {
            type: event.type ?? 'login.succeeded',
            actor: event.actor ?? null,
            subject: event.subject ?? null,
            clientId: event.clientId ?? null,
            occurredAt: at(event.second),
          },
          select: {
            id: true,
            type: true,
            occurredAt: true,
            actor: true,
            subject: true,
            clientId: true,
            ip: true,
            details: true,
          },
        }),
      );
    }
    return newestFirst(records);
  }

  function newestFirst(records: AuditEventRecord[]): AuditEventRecord[] {
    return [...records].sort(
      (a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
  }

  /** Follows nextCursor to the end and answers every id seen, in order. */
  async function allIds(query: Omit<AuditEventQuery, 'after'>): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const result = await queryAuditEvents(prisma, { ...query, after });
      ids.push(...result.events.map((event) => event.id));
      after = result.nextCursor ?? undefined;
      if (after === undefined) return ids;
    }
    throw new Error('pagination did not end');
  }

  const idsOf = (records: AuditEventRecord[]) => records.map((record) => record.id);

  it('answers an empty page on an empty trail', async () => {
    expect(await queryAuditEvents(prisma, { limit: 10 })).toEqual({ events: [], nextCursor: null });
  });

  it('answers every field as recorded, null where absent', async () => {
    await recordAuditEvent(prisma, {
      type: 'client.created',
      actor: 'admin-1',
      subject: 'billing-service',
      clientId: 'admin-console',
      ip: '203.0.113.7',
      details: { grantTypes: ['client_credentials'], firstParty: false },
    });
    await recordAuditEvent(prisma, { type: 'keys.rotated' });

    const { events } = await queryAuditEvents(prisma, {
      limit: 10,
      type: ['client.created', 'keys.rotated'],
    });
    expect(events).toHaveLength(2);
    expect(events.find((event) => event.type === 'client.created')).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'client.created',
      occurredAt: expect.any(Date),
      actor: 'admin-1',
      subject: 'billing-service',
      clientId: 'admin-console',
      ip: '203.0.113.7',
      details: { grantTypes: ['client_credentials'], firstParty: false },
    });
    expect(events.find((event) => event.type === 'keys.rotated')).toMatchObject({
      actor: null,
      subject: null,
      clientId: null,
      ip: null,
      details: null,
    });
  });

  it('pages through 25 events, 10 at a time, newest first without duplicates or gaps', async () => {
    const seeded = await seed(Array.from({ length: 25 }, (_, index) => ({ second: index })));

    const first = await queryAuditEvents(prisma, { limit: 10 });
    expect(idsOf(first.events)).toEqual(idsOf(seeded.slice(0, 10)));
    expect(first.events[0]?.occurredAt).toEqual(at(24));
    expect(await allIds({ limit: 10 })).toEqual(idsOf(seeded));
  });

  it('orders by id descending among events of the same millisecond, and a cursor resumes inside the tie', async () => {
    const seeded = await seed([
      { second: 5 },
      { second: 5 },
      { second: 5 },
      { second: 5 },
      { second: 9 },
      { second: 1 },
    ]);
    // PostgreSQL's uuid order and JavaScript's string order agree for lower-case hex.
    expect(await allIds({ limit: 2 })).toEqual(idsOf(seeded));
    expect(await allIds({ limit: 3 })).toEqual(idsOf(seeded));
  });

  it('keeps its place while newer events arrive and the cursor event is deleted', async () => {
    const seeded = await seed(Array.from({ length: 6 }, (_, index) => ({ second: index })));
    const first = await queryAuditEvents(prisma, { limit: 2 });
    await seed([{ second: 100 }]);
    await prisma.auditEvent.delete({ where: { id: seeded[1]!.id } });

    const rest = await queryAuditEvents(prisma, { limit: 10, after: first.nextCursor ?? undefined });
    expect(idsOf(rest.events)).toEqual(idsOf(seeded.slice(2)));
  });

  it('filters by actor, subject, client id and type, each alone', async () => {
    const seeded = await seed([
      { second: 1, type: 'login.succeeded', actor: 'u1', subject: 'u1', clientId: 'web' },
      { second: 2, type: 'login.failed', actor: null, subject: 'alice', clientId: 'web' },
      { second: 3, type: 'token.issued', actor: 'svc', subject: 'svc', clientId: 'svc' },
      { second: 4, type: 'client.updated', actor: 'u1', subject: 'svc', clientId: 'console' },
      { second: 5, type: 'login.failed', actor: null, subject: 'u1', clientId: 'console' },
    ]);
    const ids = (predicate: (event: AuditEventRecord) => boolean) => idsOf(seeded.filter(predicate));

    expect(await allIds({ limit: 2, actor: 'u1' })).toEqual(ids((event) => event.actor === 'u1'));
    expect(await allIds({ limit: 2, subject: 'svc' })).toEqual(ids((event) => event.subject === 'svc'));
    expect(await allIds({ limit: 2, clientId: 'web' })).toEqual(ids((event) => event.clientId === 'web'));
    expect(await allIds({ limit: 2, type: 'login.failed' })).toEqual(
      ids((event) => event.type === 'login.failed'),
    );
    expect(await allIds({ limit: 2, type: ['token.issued', 'client.updated'] })).toEqual(
      ids((event) => event.type === 'token.issued' || event.type === 'client.updated'),
    );
    expect(await allIds({ limit: 2, type: [] })).toEqual([]);
    expect(await allIds({ limit: 2, actor: 'nobody' })).toEqual([]);
  });

  it('combines every filter with AND, across pages', async () => {
    const matching = { actor: 'u1', subject: 'u2', clientId: 'web', type: 'user.updated' };
    const seeded = await seed([
      { second: 10, ...matching },
      { second: 11, ...matching, actor: 'u9' },
      { second: 12, ...matching },
      { second: 13, ...matching, subject: 'u9' },
      { second: 14, ...matching, type: 'user.deleted' },
      { second: 15, ...matching },
      { second: 16, ...matching, clientId: 'cli' },
      { second: 17, ...matching },
      { second: 18, ...matching, type: 'user.created' },
      { second: 30, ...matching },
      { second: 5, ...matching },
    ]);
    const expected = seeded
      .filter(
        (event) =>
          event.actor === 'u1' &&
          event.subject === 'u2' &&
          event.clientId === 'web' &&
          (event.type === 'user.updated' || event.type === 'user.created') &&
          event.occurredAt >= at(10) &&
          event.occurredAt < at(30),
      )
      .map((event) => event.id);

    expect(expected).toHaveLength(5);
    expect(
      await allIds({
        limit: 2,
        actor: 'u1',
        subject: 'u2',
        clientId: 'web',
        type: ['user.updated', 'user.created'],
        since: at(10),
        until: at(30),
      }),
    ).toEqual(expected);
  });

  it('includes since and excludes until, to the millisecond', async () => {
    const edge = (offsetMs: number) => new Date(base + 10_000 + offsetMs);
    for (const offset of [-1, 0, 1, 9_999, 10_000, 10_001]) {
      await prisma.auditEvent.create({ data: { type: `at.${offset}`, occurredAt: edge(offset) } });
    }
    const types = async (query: Omit<AuditEventQuery, 'limit'>) =>
      (await queryAuditEvents(prisma, { limit: 10, ...query })).events.map((event) => event.type);

    expect(await types({ since: edge(0), until: edge(10_000) })).toEqual(['at.9999', 'at.1', 'at.0']);
    expect(await types({ since: edge(1) })).toEqual(['at.10001', 'at.10000', 'at.9999', 'at.1']);
    expect(await types({ until: edge(0) })).toEqual(['at.-1']);
    expect(await types({ since: edge(0), until: edge(0) })).toEqual([]);
    expect(await types({ since: edge(10_000), until: edge(0) })).toEqual([]);
  });

  it('pages inside a time window', async () => {
    const seeded = await seed(Array.from({ length: 12 }, (_, index) => ({ second: index })));
    expect(await allIds({ limit: 3, since: at(2), until: at(10) })).toEqual(
      idsOf(seeded.filter((event) => event.occurredAt >= at(2) && event.occurredAt < at(10))),
    );
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
    await expect(queryAuditEvents(prisma, { limit: 10, after })).rejects.toThrow(InvalidCursorError);
  });

  it('rejects a limit that is not a positive integer and an invalid date', async () => {
    await expect(queryAuditEvents(prisma, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(queryAuditEvents(prisma, { limit: 2.5 })).rejects.toThrow(RangeError);
    await expect(queryAuditEvents(prisma, { limit: 1, since: new Date('nope') })).rejects.toThrow(RangeError);
    await expect(queryAuditEvents(prisma, { limit: 1, until: new Date(Number.NaN) })).rejects.toThrow(
      RangeError,
    );
  });
});
