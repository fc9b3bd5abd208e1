import pg from 'pg';

const internalCharOid = 18;
const textOid = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };

/**
 * @prisma/adapter-pg refuses result columns of Postgres' internal `"char"` type (OID 18), which the schema
 * engine's catalog queries return (pg_class.relkind, pg_constraint.contype, ...). pg already hands those values
 * over as one-character strings, so relabelling the column as text is all the adapter needs.
 */
function relabelInternalChar<T>(result: T): T {
  for (const part of Array.isArray(result) ? result : [result]) {
    for (const field of (part as QueryResultLike | undefined)?.fields ?? []) {
      if (field.dataTypeID === internalCharOid) field.dataTypeID = textOid;
    }
  }
  return result;
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A pg.Client for the schema engine's pools (`new pg.Pool({ Client: CatalogPgClient })`). */
export class CatalogPgClient extends pg.Client {}

const baseQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;

// Patched on the prototype: pg.Client#query has a dozen overloads that a TypeScript override cannot restate.
// pg-pool calls it with a callback, the adapter's transactions with a promise; both paths are covered.
CatalogPgClient.prototype.query = function query(this: pg.Client, ...args: unknown[]): unknown {
  const last = args.at(-1);
  if (typeof last === 'function') {
    args[args.length - 1] = (error: unknown, result: unknown) =>
      (last as (e: unknown, r: unknown) => void)(error, error ? result : relabelInternalChar(result));
    return baseQuery.apply(this, args);
  }
  const returned = baseQuery.apply(this, args);
  return isThenable(returned) ? returned.then(relabelInternalChar) : returned;
} as typeof pg.Client.prototype.query;
