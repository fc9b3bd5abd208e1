import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * oidc-provider answers a token, revocation or introspection request that carries no client authentication
 * at all with 400 `invalid_request` ("no client authentication mechanism provided"); RFC 6749 §5.2 names
 * that case `invalid_client` ("no client authentication included"). Rewrites only that one answer, to the
 * same 401 and description a failed authentication gets — so "no credentials" and "wrong credentials" read
 * alike — with the `Basic` challenge a 401 must carry (RFC 9110 §15.5.2) naming the scheme to use.
 */
export async function missingClientAuthenticationAsInvalidClient(ctx: Context, next: Next): Promise<void> {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (
    ctx.status === 400 &&
    body?.error === 'invalid_request' &&
    body.error_description === 'no client authentication mechanism provided'
  ) {
    const issuer = (ctx as Partial<KoaContextWithOIDC>).oidc?.provider.issuer ?? '';
    ctx.status = 401;
    ctx.set('WWW-Authenticate', `Basic realm="${issuer}"`);
    ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' };
  }
}
