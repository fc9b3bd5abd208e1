import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';

export interface PrismaClientOptions {
  databaseUrl: string;
  /** Pool size per process; oidc-provider issues a few queries per token request. */
  poolMax?: number;
  /**
   * Longest wait for a connection (a new one, or a free one of a full pool). A request must fail fast when
   * PostgreSQL is gone, not hang (DESIGN: fail closed). Default 5000.
   */
  connectionTimeoutMs?: number;
  /**
   * Longest a statement may run: PostgreSQL cancels it after this (`statement_timeout`), and the client gives
   * up on its own one second later if the server does not answer at all — a hung server or a silently cut
   * network, where a connection stays open and no server-side timeout can fire. Default 10000.
   */
  queryTimeoutMs?: number;
}

/**
 * Time the server gets to deliver its own statement-timeout error before the client abandons the query: then
 * the connection stays usable and the server has stopped the work.
 */
const CLIENT_GRACE_MS = 1000;
/** One day: far beyond any sensible wait, and safe for setTimeout once the grace is added. */
const MAX_TIMEOUT_MS = 86_400_000;

/**
 * The one way to build a PrismaClient (Prisma 7 needs a driver adapter; STACK-NOTES), with every wait on
 * PostgreSQL bounded: measured with a PostgreSQL stopped by SIGSTOP, a token request without these timeouts
 * never answered (apps/auth-server/test/e2e/postgres-outage.test.ts).
 *
 * @example
 * const prisma = createPrismaClient({ databaseUrl: config.databaseUrl, queryTimeoutMs: 10_000 });
 */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  for (const [name, value] of Object.entries({ connectionTimeoutMs, queryTimeoutMs })) {
    // node-postgres reads 0 as "no timeout"; setTimeout turns anything past 2^31 - 1 ms into 1 ms.
    if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
      throw new TypeError(
        `createPrismaClient: ${name} must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}`,
      );
    }
  }
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: connectionTimeoutMs,
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + CLIENT_GRACE_MS,
  });
  return new PrismaClient({ adapter });
}
