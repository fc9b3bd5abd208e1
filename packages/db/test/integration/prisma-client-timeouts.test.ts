import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OwnPostgres, startOwnPostgres } from '../../../../test/support/own-postgres.js';
import { pingDatabase } from '../../src/ping-database.js';
import { createPrismaClient, type PrismaClient } from '../../src/prisma-client.js';

/** "Did not hang": far above every timeout configured here, far below anything a hang would cost. */
const HANG_BOUND_MS = 5000;

/** Resolves with how long the promise took to settle, and whether it rejected. */
async function settle(promise: Promise<unknown>): Promise<{ rejected: boolean; elapsedMs: number }> {
  const startedAt = Date.now();
  const rejected = await promise.then(
    () => false,
    () => true,
  );
  return { rejected, elapsedMs: Date.now() - startedAt };
}

describe('createPrismaClient options', () => {
  it.each([
    ['connectionTimeoutMs', 0],
    ['connectionTimeoutMs', -1],
    ['queryTimeoutMs', 0],
    ['queryTimeoutMs', 1.5],
    ['queryTimeoutMs', Number.POSITIVE_INFINITY],
    ['queryTimeoutMs', 2 ** 31],
  ])('refuses %s = %s', (name, value) => {
    expect(() => createPrismaClient({ databaseUrl: 'postgres://127.0.0.1/x', [name]: value })).toThrow(
      new TypeError(`createPrismaClient: ${name} must be a whole number of ms from 1 to 86400000`),
    );
  });
});

/**
 * Every wait on PostgreSQL is bounded (issue 6): against a PostgreSQL of the test's own, paused with SIGSTOP
 * (connections stay open, nothing answers), and a TCP listener that accepts and never speaks.
 */
describe('a PrismaClient when PostgreSQL does not answer', () => {
  let postgres: OwnPostgres;
  let prisma: PrismaClient;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    prisma = createPrismaClient({ databaseUrl: postgres.url, connectionTimeoutMs: 500, queryTimeoutMs: 500 });
  }, 60_000);
  afterAll(async () => {
    postgres?.resume();
    await prisma?.$disconnect();
    await postgres?.close();
  }, 30_000);

  it('cancels a statement that runs too long (statement_timeout), and the client stays usable', async () => {
    await expect(prisma.$queryRaw`SELECT pg_sleep(3)`).rejects.toThrow(/statement timeout/);
    expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });

  it('gives up on a paused server, pings false in bounded time, and works again once it is resumed', async () => {
    expect(await pingDatabase(prisma)).toBe(true); // a pooled connection is open now
    postgres.pause();
    try {
      const pooled = await settle(prisma.$queryRaw`SELECT 1`);
      expect(pooled.rejected).toBe(true);
      expect(pooled.elapsedMs).toBeLessThan(HANG_BOUND_MS);
      const fresh = await settle(prisma.$queryRaw`SELECT 1`); // the timed-out connection was dropped
      expect(fresh.rejected).toBe(true);
      expect(fresh.elapsedMs).toBeLessThan(HANG_BOUND_MS);

      const startedAt = Date.now();
      expect(await pingDatabase(prisma, { timeoutMs: 200 })).toBe(false);
      expect(Date.now() - startedAt).toBeLessThan(HANG_BOUND_MS);
    } finally {
      postgres.resume();
    }
    expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(await pingDatabase(prisma)).toBe(true);
  }, 30_000);

  it('gives up connecting to a listener that never completes the PostgreSQL handshake', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    const client = createPrismaClient({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      connectionTimeoutMs: 300,
    });
    try {
      const attempt = await settle(client.$queryRaw`SELECT 1`);
      expect(attempt.rejected).toBe(true);
      expect(attempt.elapsedMs).toBeLessThan(HANG_BOUND_MS);
      expect(await pingDatabase(client)).toBe(false);
    } finally {
      await client.$disconnect();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
