import type { ErrorRegistry } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { createEngineAdapterFactory } from './engine-adapter-factory.js';
import { lastEnginePanic, loadSchemaEngine } from './load-schema-engine.js';

export interface EngineRunOptions {
  connectionString: string;
  /** [path, content] of each Prisma schema file the engine should know about. */
  schemaFiles: [string, string][];
  log?: ((line: string) => void) | undefined;
}

/** Runs `work` against a fresh WASM schema engine, then frees it and every pool or shadow database it opened. */
export async function withSchemaEngine<T>(
  options: EngineRunOptions,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadSchemaEngine();
  const factory = createEngineAdapterFactory(options.connectionString);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const onEngineLog = (line: string) => options.log?.(formatEngineLog(line));
  let engine: SchemaEngine | undefined;
  try {
    // The engine accepts no schema or a non-empty list, never an empty one.
    const datamodels = options.schemaFiles.length > 0 ? options.schemaFiles : undefined;
    engine = await SchemaEngine.new({ datamodels }, onEngineLog, bound);
    return await work(engine);
  } catch (error) {
    throw describeEngineError(error, bound.errorRegistry);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** The engine logs one JSON object per line; keep level and message. */
function formatEngineLog(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    return `schema-engine ${entry.level ?? ''} ${entry.fields?.message ?? line}`.trim();
  } catch {
    return `schema-engine ${line.trim()}`;
  }
}

/**
 * Engine errors carry a Rust span trace after the message, JS errors raised inside the adapter come back as an
 * id into the adapter's error registry, and panics as a bare "unreachable": turn each into one readable Error.
 */
function describeEngineError(error: unknown, registry: ErrorRegistry): Error {
  const id = (error as { id?: unknown } | null)?.id;
  if (typeof id === 'number') {
    const original = registry.consumeError(id)?.error;
    if (original instanceof Error) return original;
  }
  if (!(error instanceof Error)) return new Error(`Schema engine failed: ${String(error)}`);
  if (error.name === 'RuntimeError') {
    return new Error(`Schema engine panicked: ${lastEnginePanic() ?? error.message}`, { cause: error });
  }
  const message = error.message.split(/\n\s+0: /)[0]?.trim() || error.message;
  return new Error(`Schema engine: ${message}`, { cause: error });
}
