import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngineBindings = typeof bindings;

interface PanicRegistry {
  message: string;
  set_message(message: string): void;
}

const panicHost = globalThis as typeof globalThis & { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };

/** The engine's panic hook writes its reason here; without it a panic surfaces as a bare "unreachable". */
export function lastEnginePanic(): string | undefined {
  return panicHost.PRISMA_WASM_PANIC_REGISTRY?.message || undefined;
}

// The repo's lib is ES2023 without DOM, and @types/node 20 does not declare WebAssembly.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: object,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let loaded: Promise<SchemaEngineBindings> | undefined;

/**
 * The package's main entry imports the .wasm file as an ES module, which Node 20 cannot do without a flag;
 * instantiate it by hand against the generated JS bindings instead, once per process.
 */
export function loadSchemaEngine(): Promise<SchemaEngineBindings> {
  loaded ??= instantiate().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function instantiate(): Promise<SchemaEngineBindings> {
  panicHost.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(message: string) {
      this.message = message;
    },
  };
  const require = createRequire(import.meta.url);
  const bindingsFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasm = await readFile(path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bindings;
}
