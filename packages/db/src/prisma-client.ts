import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';

export interface PrismaClientOptions {
  databaseUrl: string;
  /** Pool size per process; oidc-provider issues a few queries per token request. */
  poolMax?: number;
  /** A token request must fail fast when PostgreSQL is gone, not hang (DESIGN: fail closed). */
  connectionTimeoutMs?: number;
}

/** The one way to build a PrismaClient (Prisma 7 needs a driver adapter; STACK-NOTES). */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  return new PrismaClient({ adapter });
}
