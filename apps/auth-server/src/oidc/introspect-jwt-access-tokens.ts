import type { Context, Next } from 'koa';
import type { AccessTokenIntrospection } from '../revocations/introspect-access-token.js';
import { refusedStructuredToken } from './refused-structured-token.js';
import { renderServerError } from './render-server-error.js';

/**
 * RFC 7662 for our JWT access tokens at oidc-provider's own introspection endpoint. oidc-provider
 * authenticates the client (and sets `Cache-Control: no-store`), then refuses the JWT because it does not
 * store it; this answers in its place. Whether the client may introspect at all is decided before this runs
 * (introspection-for-allowed-clients.ts).
 */
export function createJwtAccessTokenIntrospection(
  introspect: (token: string) => Promise<AccessTokenIntrospection>,
) {
  return async function introspectJwtAccessTokens(ctx: Context, next: Next): Promise<void> {
    await next();
    const refused = refusedStructuredToken(ctx, 'introspection');
    if (!refused) return;
    let answer: AccessTokenIntrospection;
    try {
      answer = await introspect(refused.token);
    } catch (error) {
      // Never `active: true` on a guess: without the revocation records there is no answer.
      renderServerError(ctx, refused.oidc, error);
      return;
    }
    ctx.status = 200;
    ctx.body = answer;
  };
}
