import type { Context, Next } from 'koa';

/**
 * oidc-provider answers `invalid_request` when a client uses a grant type it is not registered for;
 * RFC 6749 §5.2 names that case `unauthorized_client`. Rewrites only that one answer.
 */
export async function disallowedGrantAsUnauthorizedClient(ctx: Context, next: Next): Promise<void> {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (
    ctx.status === 400 &&
    body?.error === 'invalid_request' &&
    body.error_description === 'requested grant type is not allowed for this client'
  ) {
    ctx.body = { error: 'unauthorized_client', error_description: body.error_description };
  }
}
