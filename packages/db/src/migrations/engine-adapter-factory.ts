import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { CatalogPgClient } from './catalog-pg-client.js';

export interface EngineAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Disposes whatever the engine left open and drops any shadow database it did not release. */
  close(): Promise<void>;
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function pgErrorToAdapterError(error: unknown): unknown {
  if (!(error instanceof pg.DatabaseError)) return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code ?? 'unknown',
    severity: error.severity ?? 'ERROR',
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
  });
}

/**
 * Driver adapters for the schema engine, replacing two parts of @prisma/adapter-pg 7.10 that fail here:
 * its shadow pool spreads `database` next to `connectionString`, where pg lets the URL win (so the "shadow"
 * is the main database), and it drops the shadow database before ending the pool still connected to it.
 * Its executeScript also splits scripts on every `;`, quoted or not; a script is sent whole instead.
 */
export function createEngineAdapterFactory(connectionString: string): EngineAdapterFactory {
  const open = new Set<SqlDriverAdapter>();
  const shadows = new Set<string>();

  async function connectTo(url: string, release: () => Promise<void>): Promise<SqlDriverAdapter> {
    const inner = await new PrismaPg({ connectionString: url, Client: CatalogPgClient, max: 4 }).connect();
    const pool = inner.underlyingDriver();
    const adapter: SqlDriverAdapter = {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: (query) => inner.queryRaw(query),
      executeRaw: (query) => inner.executeRaw(query),
      startTransaction: (isolationLevel) => inner.startTransaction(isolationLevel),
      getConnectionInfo: () => inner.getConnectionInfo(),
      executeScript: async (script) => {
        await pool.query(script).catch((error: unknown) => {
          throw pgErrorToAdapterError(error);
        });
      },
      dispose: async () => {
        if (!open.delete(adapter)) return;
        try {
          await inner.dispose();
        } finally {
          await release();
        }
      },
    };
    open.add(adapter);
    return adapter;
  }

  async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async function dropShadow(name: string): Promise<void> {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    shadows.delete(name);
  }

  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(connectionString, async () => {}),
    async connectToShadowDb() {
      // Generated, never from input: quoting is enough.
      const name = `prisma_shadow_${Date.now()}_${randomBytes(4).toString('hex')}`;
      await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
      shadows.add(name);
      return connectTo(withDatabase(connectionString, name), () => dropShadow(name));
    },
    async close() {
      for (const adapter of [...open]) await adapter.dispose();
      for (const name of [...shadows]) await dropShadow(name);
    },
  };
}
