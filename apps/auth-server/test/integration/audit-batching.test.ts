import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrismaClient } from '@portcullis/db';
import { waitFor } from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import { createAuditRecorder } from '../../src/audit/audit-recorder.js';
import type { Logger } from '../../src/logger.js';

/** A logger that keeps what was logged at error level. */
function recordingLogger(): Logger & { errors: { details: Record<string, unknown>; message: string }[] } {
  const errors: { details: Record<string, unknown>; message: string }[] = [];
  const ignore = () => undefined;
  return {
    errors,
    error: (details: Record<string, unknown>, message: string) => errors.push({ details, message }),
    warn: ignore,
    info: ignore,
    debug: ignore,
  } as unknown as Logger & { errors: typeof errors };
}

/** Polls an async condition until it holds; rejects after a generous bound (not a timing expectation). */
async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const issued = (subject: string) => ({
  type: 'token.issued',
  actor: 'svc',
  subject,
  clientId: 'svc',
  ip: '127.0.0.1',
  details: { grantType: 'client_credentials' },
});

/**
 * `record` (token.issued and other fire-and-forget events) is written in batches: one INSERT per interval or
 * per full batch, everything on flush/close, and a bounded buffer that drops (and counts) while PostgreSQL
 * is not taking writes. `write` stays one durable INSERT per call.
 */
describe('audit recorder: batched writes', () => {
  let database: TestPrismaDatabase;

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const rowsFor = (subjectPrefix: string) =>
    database.prisma.auditEvent.findMany({
      where: { subject: { startsWith: subjectPrefix } },
      orderBy: { occurredAt: 'asc' },
    });

  it('writes a full batch at once, without waiting for the interval', async () => {
    const audit = createAuditRecorder(database.prisma, recordingLogger(), {
      batching: { intervalMs: 600_000, maxBatch: 3 },
    });
    for (const n of [1, 2, 3]) audit.record(issued(`size-${n}`));
    // No flush: the interval is ten minutes, so only the full batch can have written them.
    await eventually(async () => (await rowsFor('size-')).length === 3, 'the full batch');
    await audit.close();
  });

  it('stores a NUL from caller input as U+FFFD instead of losing the event', async () => {
    const audit = createAuditRecorder(database.prisma, recordingLogger(), { batching: { intervalMs: 20 } });
    audit.record({ ...issued('nul-a\u0000b'), details: { username: 'x\u0000y' } });
    await audit.close();
    const [row] = await rowsFor('nul-');
    expect(row?.subject).toBe('nul-a\ufffdb');
    expect(row?.details).toEqual({ username: 'x\ufffdy' });
  });

  it('drops only the event PostgreSQL refuses; the rest of its batch and later batches are written', async () => {
    const logger = recordingLogger();
    let dropped = 0;
    const audit = createAuditRecorder(database.prisma, logger, {
      batching: { intervalMs: 20, maxBatch: 3 },
      onDropped: (count) => {
        dropped += count;
      },
    });
    // A lone surrogate is valid in a JS string and refused by jsonb: it fails the whole INSERT it is in.
    audit.record(issued('poison-1'));
    audit.record({ ...issued('poison-2'), details: { username: '\ud800' } });
    audit.record(issued('poison-3'));
    audit.record(issued('poison-4'));
    await audit.close();
    expect((await rowsFor('poison-')).map((row) => row.subject)).toEqual([
      'poison-1',
      'poison-3',
      'poison-4',
    ]);
    expect(dropped).toBe(1);
    expect(logger.errors.map((entry) => entry.message)).toContain(
      'audit event refused by PostgreSQL; dropped',
    );
  });

  it('writes what is buffered once the interval has passed', async () => {
    const audit = createAuditRecorder(database.prisma, recordingLogger(), {
      batching: { intervalMs: 20, maxBatch: 500 },
    });
    audit.record(issued('time-1'));
    audit.record(issued('time-2'));
    await eventually(async () => (await rowsFor('time-')).length === 2, 'the interval write');
    await audit.close();
  });

  it('keeps each event with the time it was recorded, and every field', async () => {
    const audit = createAuditRecorder(database.prisma, recordingLogger(), {
      batching: { intervalMs: 600_000 },
    });
    const before = new Date();
    audit.record(issued('fields-1'));
    const after = new Date();
    await audit.flush();
    const [row] = await rowsFor('fields-');
    expect(row).toMatchObject({
      type: 'token.issued',
      actor: 'svc',
      subject: 'fields-1',
      clientId: 'svc',
      ip: '127.0.0.1',
      details: { grantType: 'client_credentials' },
    });
    expect(row!.occurredAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row!.occurredAt.getTime()).toBeLessThanOrEqual(after.getTime());
    await audit.close();
  });

  it('writes everything buffered on close (a clean stop loses nothing) and drops what comes after', async () => {
    const dropped: number[] = [];
    const audit = createAuditRecorder(database.prisma, recordingLogger(), {
      batching: { intervalMs: 600_000, maxBatch: 2 },
      onDropped: (count) => dropped.push(count),
    });
    for (const n of [1, 2, 3, 4, 5]) audit.record(issued(`close-${n}`));
    await audit.close();
    expect((await rowsFor('close-')).map((row) => row.subject)).toEqual([
      'close-1',
      'close-2',
      'close-3',
      'close-4',
      'close-5',
    ]);
    audit.record(issued('close-late'));
    expect(dropped).toEqual([1]);
  });

  it('writes admin events (write) at once and durably', async () => {
    const audit = createAuditRecorder(database.prisma, recordingLogger(), {
      batching: { intervalMs: 600_000 },
    });
    await audit.write({ type: 'admin.client.updated', actor: 'admin', subject: 'write-1' });
    expect(await rowsFor('write-')).toHaveLength(1);
    await audit.close();
  });

  it('stays bounded while PostgreSQL is down: drops beyond maxBuffered, counts and logs it, never throws', async () => {
    // Nothing listens on port 1: every write fails fast.
    const unreachable = createPrismaClient({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/none',
      connectionTimeoutMs: 500,
    });
    const logger = recordingLogger();
    let dropped = 0;
    const audit = createAuditRecorder(unreachable, logger, {
      batching: { intervalMs: 10, maxBatch: 5, maxBuffered: 10 },
      onDropped: (count) => {
        dropped += count;
      },
    });
    try {
      for (let n = 0; n < 50; n += 1) expect(() => audit.record(issued(`down-${n}`))).not.toThrow();
      // 50 recorded, at most 10 kept for a retry: 40 dropped once the first write has failed.
      await waitFor(() => dropped === 40, 10_000, '40 events dropped');
      const dropLogs = logger.errors.filter((entry) => entry.message.startsWith('audit events dropped'));
      expect(dropLogs.length).toBeGreaterThanOrEqual(1);
      // Rate-limited: one line per 10 s however many drops.
      expect(dropLogs.length).toBeLessThanOrEqual(2);
      for (let n = 0; n < 20; n += 1) audit.record(issued(`down-more-${n}`));
      await waitFor(() => dropped === 60, 10_000, '20 more dropped');
    } finally {
      // One attempt, which fails: close resolves rather than hang.
      await audit.close();
      await unreachable.$disconnect();
    }
  });
});
