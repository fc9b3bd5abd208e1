import type { Context, Next } from 'koa';
import { ProblemError } from './problem.js';

const TITLES: Readonly<Record<number, string>> = { 405: 'Method Not Allowed', 501: 'Not Implemented' };

/**
 * Turns the bare 405/501 that a router's `allowedMethods()` answers with into a problem, keeping its `Allow`
 * header. The router sets `Allow` only when it answers itself, not when told to throw, and RFC 9110 §15.5.6
 * says a 405 MUST carry it.
 */
export async function methodProblems(ctx: Context, next: Next): Promise<void> {
  await next();
  const title = TITLES[ctx.status];
  if (title === undefined || ctx.body !== undefined) return;
  const allow = ctx.response.get('Allow');
  throw new ProblemError(ctx.status, title, {}, allow ? { Allow: allow } : {});
}
