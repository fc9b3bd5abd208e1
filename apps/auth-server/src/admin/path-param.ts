/**
 * A path parameter the route pattern guarantees (`/:name`). @koa/router has already percent-decoded it,
 * so `/roles/items%3Aread` gives `items:read`.
 */
export function pathParam(ctx: { params: Record<string, string | undefined> }, name: string): string {
  return ctx.params[name] ?? '';
}
