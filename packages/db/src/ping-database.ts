import type { PrismaClient } from './generated/client.js';

export interface PingDatabaseOptions {
  /**
   * Answer false after this long. A readiness probe must answer before its prober gives up, whatever the
   * client's own timeouts are (a hung PostgreSQL holds a query until the query timeout). Default 2000.
   */
  timeoutMs?: number;
}

/**
 * True when PostgreSQL answers `SELECT 1` within `timeoutMs`; false on any error or when it does not answer
 * in time (the query itself is left to the client's query timeout).
 *
 * @example
 * const readiness = { postgres: () => pingDatabase(prisma) };
 */
export async function pingDatabase(
  prisma: PrismaClient,
  { timeoutMs = 2000 }: PingDatabaseOptions = {},
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      prisma.$queryRaw`SELECT 1`.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
