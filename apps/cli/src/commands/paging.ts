import type { z } from 'zod';
import type { CommandContext } from '../args/command-context.js';
import type { OptionSpecs } from '../args/command-spec.js';
import type { ParsedOptions } from '../args/parsed-options.js';
import type { QueryValues } from '../http/admin-api.js';

export const PAGING_OPTIONS = {
  limit: { type: 'string', value: 'N', description: 'page size, 1-100 (default: the server’s, 20)' },
  after: {
    type: 'string',
    value: 'CURSOR',
    description: 'continue after this cursor (printed after a page)',
  },
  all: { type: 'boolean', description: 'fetch every page' },
} as const satisfies OptionSpecs;

export interface Listing<Item> {
  items: Item[];
  /** The single page as received, or with --all every page's items under `key` and a null cursor. */
  raw: unknown;
  nextCursor: string | null;
}

/**
 * GET a keyset-paginated list: one page, or with --all every page in order. The API's cursors are opaque; a
 * repeated cursor ends the walk rather than looping forever against a misbehaving server.
 */
export async function fetchListing<Value extends { nextCursor: string | null }, Item>(
  context: CommandContext,
  request: { path: string; schema: z.ZodType<Value>; key: string; query: QueryValues },
  items: (value: Value) => Item[],
): Promise<Listing<Item>> {
  const { options } = context;
  const all = options.flag('all');
  const seen = new Set<string>();
  const collected: Item[] = [];
  const rawItems: unknown[] = [];
  let after = options.string('after');
  for (;;) {
    const page = await context.api.request('GET', request.path, request.schema, {
      query: { ...request.query, limit: pageSize(options), after },
    });
    if (!all) return { items: items(page.value), raw: page.raw, nextCursor: page.value.nextCursor };
    collected.push(...items(page.value));
    rawItems.push(...((page.raw as Record<string, unknown[]>)[request.key] ?? []));
    const next = page.value.nextCursor;
    if (next === null || seen.has(next)) break;
    seen.add(next);
    after = next;
  }
  return { items: collected, raw: { [request.key]: rawItems, nextCursor: null }, nextCursor: null };
}

function pageSize(options: ParsedOptions): number | undefined {
  // --all walks with the largest page the API allows unless told otherwise.
  return options.integer('limit', { min: 1, max: 100 }) ?? (options.flag('all') ? 100 : undefined);
}

/** Prints the table (or "no X"), then where the next page starts, on stderr so stdout stays the table. */
export function printListing<Item>(
  context: CommandContext,
  listing: Listing<Item>,
  noun: string,
  table: (items: Item[]) => string,
): void {
  context.output.result(listing.raw, () =>
    listing.items.length === 0 ? `no ${noun}` : table(listing.items),
  );
  if (listing.nextCursor && !context.output.json) {
    context.output.note(`more ${noun}: add --after ${listing.nextCursor} (or --all)`);
  }
}
