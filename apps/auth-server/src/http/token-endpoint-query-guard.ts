import type { Context, Middleware, Next } from 'koa';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from '../rate-limits/token-endpoint-routes.js';
import { writeTokenEndpointInvalidRequest } from './token-endpoint-invalid-request.js';

export interface TokenEndpointQueryGuardOptions {
  /** The routes guarded; default oidc-provider's token, revocation and introspection routes. */
  routes?: readonly string[];
}

/**
 * Refuses a POST to the token endpoints that carries anything in its query string, with 400
 * `invalid_request`, before oidc-provider runs.
 *
 * oidc-provider reads POST parameters from the body only and silently ignores the query, so a client that
 * puts `client_secret` (RFC 6749 §2.3.1: "MUST NOT be included in the request URI"), a password, a refresh
 * token or a token to revoke or introspect into the URL gets an answer as if all were well — while the secret
 * sits in proxy and access logs, browser history and Referer headers (RFC 9700 §4.3, OWASP ASVS 8.3.1 /
 * 13.1.3 "sensitive data in URL"). Our endpoint URIs have no query component of their own (RFC 6749 §3.2),
 * so any query is refused, not just known parameter names: the client learns at once, and nothing it sent
 * there is ever echoed. An empty query (`/token?`) carries nothing and passes.
 *
 * @example
 * provider.middleware.unshift(createTokenEndpointQueryGuard());
 */
export function createTokenEndpointQueryGuard(options: TokenEndpointQueryGuardOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createTokenEndpointQueryGuard: options must be an object');
  }
  const isTokenEndpoint = matchesProviderRoute(options.routes ?? TOKEN_ENDPOINT_ROUTES);

  return async function refuseTokenEndpointQuery(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || ctx.querystring === '' || !isTokenEndpoint(ctx.path)) return next();
    writeTokenEndpointInvalidRequest(
      ctx,
      400,
      'parameters must be sent in the request body, not in the URI query',
    );
  };
}
