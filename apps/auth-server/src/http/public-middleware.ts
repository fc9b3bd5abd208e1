import type { Context, Next } from 'koa';

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
