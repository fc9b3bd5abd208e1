import type { PrismaClient } from '@portcullis/db';
import { pingDatabase } from '@portcullis/db';
import type { Context, Next } from 'koa';

/** Baseline headers on every response (OWASP Secure Headers); token responses add no-store themselves. */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  await next();
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
}

/** A route nobody answered gets an RFC 9457 problem, not Koa's plain-text "Not Found". */
export async function notFoundAsProblem(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.status === 404 && ctx.body === undefined) {
    ctx.status = 404;
    ctx.type = 'application/problem+json';
    ctx.body = { type: 'about:blank', title: 'Not Found', status: 404 };
  }
}

/** RFC 8414 clients look here; the metadata is the same document as OIDC discovery. */
export async function oauthMetadataAlias(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/.well-known/oauth-authorization-server') ctx.path = '/.well-known/openid-configuration';
  await next();
}

/** `/healthz`: the process answers. `/readyz`: it can also reach PostgreSQL, so it can issue tokens. */
export function createHealthRoutes(prisma: PrismaClient) {
  return async function healthRoutes(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' || (ctx.path !== '/healthz' && ctx.path !== '/readyz')) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    const database = await pingDatabase(prisma);
    ctx.status = database ? 200 : 503;
    ctx.body = {
      status: database ? 'ready' : 'unavailable',
      checks: { postgres: database ? 'ok' : 'unreachable' },
    };
  };
}
