import { setFlagsFromString } from 'node:v8';
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
 * Prisma 7 plans every query in a WebAssembly query compiler. V8 compiles it with its baseline compiler
 * (Liftoff) and then recompiles hot functions with TurboFan, and that costs memory, not time here: measured
 * on Node 20, a process that loaded Prisma and ran 2,600 queries held 230 MB RSS with tier-up and 157 MB
 * without, at the same CPU per query (within noise; ~1 ms for a lookup either way), and the auth server's
 * budget is 250 MB under load (issue 7). The flag is process-wide and only affects wasm compiled after it is
 * set, so a server's main() calls this before it creates its first client (Prisma compiles its module when
 * the first client connects); a library never sets it behind its importer's back.
 *
 * @example
 * limitPrismaWasmTiering(); // first thing in main()
 */
export function limitPrismaWasmTiering(): void {
  setFlagsFromString('--liftoff-only');
}

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
