import type { Context, Next } from 'koa';
import { ProblemError } from './problem.js';

/**
 * 405 with `Allow` (RFC 9110 §15.5.6) for paths answered by something that is not an @koa/router Router
 * (whose `allowedMethods()` does this itself): a 404 nobody answered, for a known path, becomes a 405
 * problem; an OPTIONS becomes 200 with `Allow` and no body, as @koa/router answers one. Paths match as
 * those routers match them: case-insensitive, one trailing slash ignored. Methods are listed exactly (no
 * HEAD is implied by GET).
 *
 * @example
 * app.use(allowedMethodsFor({ '/healthz': ['GET'], '/token': ['POST'] }));
 */
export function allowedMethodsFor(routes: Readonly<Record<string, readonly string[]>>) {
  const table = new Map<string, string>();
  for (const [path, methods] of Object.entries(routes)) {
    if (
      !path.startsWith('/') ||
      methods.length === 0 ||
      !methods.every((method) => /^[A-Z]+$/.test(method))
    ) {
      throw new TypeError(`allowedMethodsFor: "${path}" needs a path starting with / and upper-case methods`);
    }
    table.set(routeKey(path), [...new Set(methods)].join(', '));
  }
  return async function methodNotAllowed(ctx: Context, next: Next): Promise<void> {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    const allow = table.get(routeKey(ctx.path));
    if (allow === undefined || allow.split(', ').includes(ctx.method)) return;
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.set('Allow', allow);
      ctx.body = '';
      return;
    }
    throw new ProblemError(405, 'Method Not Allowed', {}, { Allow: allow });
  };
}

function routeKey(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.toLowerCase();
}
