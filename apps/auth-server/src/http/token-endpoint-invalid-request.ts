import type { Context } from 'koa';

/**
 * Answers a token-endpoint request that our input guards refuse, in the RFC 6749 §5.2 shape oidc-provider
 * uses for its own refusals: `invalid_request` ("missing a required parameter, includes an unsupported
 * parameter value, repeats a parameter, ... or is otherwise malformed"), `Cache-Control: no-store` (§5.1).
 * The description is a fixed text: it never repeats the input, which may carry a secret.
 *
 * @example
 * writeTokenEndpointInvalidRequest(ctx, 413, 'the request body exceeds 16384 bytes');
 */
export function writeTokenEndpointInvalidRequest(ctx: Context, status: 400 | 413, description: string): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = { error: 'invalid_request', error_description: description };
}
