import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * RFC 6749 §5.2 `server_error` for a failure in our own steps around oidc-provider's endpoints, in the shape
 * oidc-provider renders its own; the error goes to its `server_error` event (logged by provider-events.ts),
 * never to the client.
 */
export function renderServerError(ctx: Context, oidc: KoaContextWithOIDC['oidc'], error: unknown): void {
  ctx.status = 500;
  ctx.type = 'application/json';
  ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
  oidc.provider.emit('server_error', ctx, error);
}
