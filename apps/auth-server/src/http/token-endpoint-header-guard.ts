import { headerValues } from '@portcullis/guard';
import type { Context, Middleware, Next } from 'koa';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from '../rate-limits/token-endpoint-routes.js';
import { writeTokenEndpointInvalidRequest } from './token-endpoint-invalid-request.js';

/** Singleton fields the token endpoints act on; a second line of either makes the request ambiguous. */
const SINGLETON_HEADERS = ['authorization', 'content-type'] as const;

export interface TokenEndpointHeaderGuardOptions {
  /** The routes guarded; default oidc-provider's token, revocation and introspection routes. */
  routes?: readonly string[];
}

/**
 * Refuses a request to the token endpoints that repeats the Authorization or Content-Type header line, with
 * 400 `invalid_request`, before oidc-provider runs.
 *
 * Neither field is a list (RFC 9110 §5.3: a sender MUST NOT repeat it), and Node keeps only the first line
 * of each and drops the rest without a word: a proxy, WAF or log in front that reads the last one would then
 * see another client (or another content type) than the one authenticated here. RFC 6749 §2.3 also allows
 * one authentication method per request. The resource servers' guard refuses two Authorization lines for
 * the same reason (packages/guard, `extractBearerToken`).
 *
 * @example
 * provider.middleware.unshift(createTokenEndpointHeaderGuard());
 */
export function createTokenEndpointHeaderGuard(options: TokenEndpointHeaderGuardOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createTokenEndpointHeaderGuard: options must be an object');
  }
  const isTokenEndpoint = matchesProviderRoute(options.routes ?? TOKEN_ENDPOINT_ROUTES);

  return async function refuseRepeatedTokenEndpointHeaders(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || !isTokenEndpoint(ctx.path)) return next();
    const repeated = SINGLETON_HEADERS.find((name) => headerValues(ctx.req.rawHeaders, name).length > 1);
    if (repeated === undefined) return next();
    writeTokenEndpointInvalidRequest(ctx, 400, `the ${repeated} header must not be sent more than once`);
  };
}
