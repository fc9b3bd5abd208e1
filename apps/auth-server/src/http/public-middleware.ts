import type { Context, Next } from 'koa';

/** RFC 8414 clients look here; the metadata is the same document as OIDC discovery. */
export async function oauthMetadataAlias(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/.well-known/oauth-authorization-server') ctx.path = '/.well-known/openid-configuration';
  await next();
}
