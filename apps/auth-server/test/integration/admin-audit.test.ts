import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

interface EventBody {
  id: string;
  type: string;
  occurredAt: string;
  actor: string | null;
  subject: string | null;
  clientId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}
interface PageBody {
  events: EventBody[];
  nextCursor: string | null;
}

/** A fixed past hour, so the seeded events are apart from the ones the test itself causes. */
const base = Date.parse('2020-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
const seeded = [
  { type: 'login.succeeded', actor: 'u1', subject: 'u1', clientId: 'web', minute: 0 },
  { type: 'login.failed', actor: 'u1', subject: 'u1', clientId: 'web', minute: 1 },
  { type: 'login.succeeded', actor: 'u2', subject: 'u2', clientId: 'mobile', minute: 2 },
  { type: 'admin.user.created', actor: 'admin-x', subject: 'u2', clientId: 'admin-x', minute: 3 },
  { type: 'token.issued', actor: 'web', subject: 'u1', clientId: 'web', minute: 4 },
  { type: 'login.failed', actor: 'u2', subject: 'u2', clientId: 'mobile', minute: 5 },
];
/** Bounds every query to the seeded hour. */
const seededHour = `until=${encodeURIComponent(at(60))}`;

/** `GET /audit` on the admin listener: filters, time range, paging and validation. */
describe('admin API: audit log', () => {
  let server: TestAuthServer;
  let auditor: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    auditor = await adminTokenWith(server, ['admin:audit:read']);
    await server.prisma.auditEvent.createMany({
      data: seeded.map(({ minute, ...event }, index) => ({
        ...event,
        occurredAt: new Date(at(minute)),
        ip: '192.0.2.1',
        details: { index },
      })),
    });
  }, 30_000);
  afterAll(async () => server?.close());

  const query = async (search: string, token = auditor) => {
    const response = await adminRequest(server, `/audit?${search}`, token);
    expect(response.status).toBe(200);
    return (await response.json()) as PageBody;
  };
  /** Indexes (into `seeded`) of the events a query answers, in answer order. */
  const seededIndexes = async (search: string) =>
    (await query(`${search}&${seededHour}`)).events.map(
      (event) => (event.details as { index: number }).index,
    );

  it('answers events newest first with every field', async () => {
    const { events, nextCursor } = await query(`limit=100&${seededHour}`);
    expect(events.map((event) => event.occurredAt)).toEqual([5, 4, 3, 2, 1, 0].map(at));
    expect(nextCursor).toBeNull();
    expect(events[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'login.failed',
      occurredAt: at(5),
      actor: 'u2',
      subject: 'u2',
      clientId: 'mobile',
      ip: '192.0.2.1',
      details: { index: 5 },
    });
  });

  it.each([
    ['actor', 'actor=u1', [1, 0]],
    ['subject', 'subject=u2', [5, 3, 2]],
    ['clientId', 'clientId=web', [4, 1, 0]],
    ['one type', 'type=login.failed', [5, 1]],
    ['repeated types', 'type=login.failed&type=token.issued', [5, 4, 1]],
    ['comma-separated types', 'type=login.failed,%20token.issued', [5, 4, 1]],
    ['several filters together', 'subject=u2&type=login.succeeded', [2]],
    ['a value nothing has', 'actor=nobody', []],
  ])('filters by %s', async (_name, search, expected) => {
    expect(await seededIndexes(search)).toEqual(expected);
  });

  it('bounds the time range: since inclusive, until exclusive', async () => {
    const search = `since=${encodeURIComponent(at(1))}&until=${encodeURIComponent(at(4))}`;
    const { events } = await query(search);
    expect(events.map((event) => event.occurredAt)).toEqual([3, 2, 1].map(at));
  });

  it('reads instants with an offset, and dates as UTC midnight', async () => {
    // 01:02 at +01:00 is 00:02Z: the third seeded event.
    expect(await seededIndexes(`since=${encodeURIComponent('2020-01-01T01:02:00+01:00')}`)).toEqual([
      5, 4, 3, 2,
    ]);
    const { events } = await query('since=2019-12-31&until=2020-01-01');
    expect(events).toEqual([]);
    expect((await query('since=2020-01-01&until=2020-01-02')).events).toHaveLength(seeded.length);
  });

  it('pages with a cursor through the same filtered set', async () => {
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const page: PageBody = await query(`limit=2&${seededHour}${cursor ? `&after=${cursor}` : ''}`);
      pages.push(page.events.map((event) => (event.details as { index: number }).index));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      [5, 4],
      [3, 2],
      [1, 0],
    ]);
  });

  it("finds the admin API's own events, by type and actor", async () => {
    const admin = await adminTokenWith(server, ['admin:revocations:write']);
    const revoke = await adminRequest(server, '/revocations', admin, {
      method: 'POST',
      body: { kind: 'jti', value: 'audited-jti', reason: 'test' },
    });
    expect(revoke.status).toBe(201);
    const { actor } = (await revoke.json()) as { actor: string };
    // No flushAudit(): an admin change answers only once its audit event is durable.

    const { events } = await query(`type=admin.revocation.created&actor=${actor}`);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'admin.revocation.created',
        actor,
        clientId: actor,
        subject: 'audited-jti',
        ip: expect.any(String),
        details: { kind: 'jti', value: 'audited-jti', reason: 'test', artifactsDeleted: 0 },
      }),
    ]);
  });

  it('answers 500, not success, when the audit event of a change cannot be written', async () => {
    const admin = await adminTokenWith(server, ['admin:revocations:write']);
    await server.prisma.$executeRawUnsafe('ALTER TABLE "audit_events" RENAME TO "audit_events_away"');
    try {
      const response = await adminRequest(server, '/revocations', admin, {
        method: 'POST',
        body: { kind: 'jti', value: 'unaudited-jti' },
      });
      expect(response.status).toBe(500);
      const problem = (await response.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 500, title: 'Internal Server Error' });
      expect(JSON.stringify(problem)).not.toMatch(/audit_events|prisma|at /i);
    } finally {
      await server.prisma.$executeRawUnsafe('ALTER TABLE "audit_events_away" RENAME TO "audit_events"');
    }
  });

  it.each([
    ['since equal to until', `since=${at(1)}&until=${at(1)}`, 'until'],
    ['since after until', `since=${at(2)}&until=${at(1)}`, 'until'],
    ['a date in words', 'since=yesterday', 'since'],
    ['a month 13', 'until=2020-13-01', 'until'],
    ['a time without a zone', 'since=2020-01-01T00:00:00', 'since'],
    ['a limit of 0', 'limit=0', 'limit'],
    ['a limit over 100', 'limit=101', 'limit'],
    ['an empty type', 'type=', 'type'],
    ['a malformed type', 'type=login%20failed', 'type.0'],
    ['a repeated actor', 'actor=a&actor=b', 'actor'],
    ['an unknown parameter', 'user=u1', ''],
  ])('refuses %s with a 400 naming the field', async (_name, search, field) => {
    const response = await adminRequest(server, `/audit?${search.replaceAll('+', '%2B')}`, auditor);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((error) => error.path)).toContain(field);
  });

  it('refuses a cursor it did not issue with a 400', async () => {
    const response = await adminRequest(server, '/audit?after=bm90LWEtY3Vyc29y', auditor);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ detail: 'after is not a cursor from this API' });
  });

  it('needs admin:audit:read', async () => {
    expect((await adminRequest(server, '/audit', undefined)).status).toBe(401);
    const usersAdmin = await adminTokenWith(server, ['admin:users:read', 'admin:users:write']);
    const response = await adminRequest(server, '/audit', usersAdmin);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });
});
