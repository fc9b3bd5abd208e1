import type { Context, Middleware, Next } from 'koa';
import { extractBearerToken, headerValues } from '../extract-bearer-token.js';
import { guardErrorResponse } from '../guard-error-response.js';
import { authorize, type Requirement, validateRequirement } from '../policy.js';
import type { Principal } from '../principal.js';
import type { AccessTokenVerifier } from '../verify-access-token.js';

/** What the guard puts on `ctx.state`. */
export interface GuardState {
  principal: Principal;
}

export interface KoaGuardOptions {
  verifier: AccessTokenVerifier;
  /** `realm` of the WWW-Authenticate challenge, usually the service name. */
  realm: string;
  /** Called for every refusal (log it, count it); must not throw. Default: nothing. */
  onRefused?: (error: unknown, ctx: Context) => void;
}

export interface KoaGuard {
  /** Any valid access token; puts the principal on `ctx.state.principal`. */
  authenticate(): Middleware<GuardState>;
  /** A valid access token that meets `requirement` (checked when the route is declared). */
  require(requirement: Requirement): Middleware<GuardState>;
}

/**
 * Koa middleware over `createAccessTokenVerifier`: 401/403/503 answered here in RFC 6750 form, so a route
 * behind it only ever runs with a verified principal that meets its requirement.
 *
 * @example
 * const guard = createKoaGuard({ verifier, realm: 'items' });
 * router.get('/items', guard.require({ scopes: ['items:read'] }), (ctx) => {
 *   ctx.body = listItemsFor(ctx.state.principal.subject);
 * });
 */
export function createKoaGuard(options: KoaGuardOptions): KoaGuard {
  if (!options?.verifier || typeof options.verifier.verify !== 'function') {
    throw new TypeError('verifier must come from createAccessTokenVerifier()');
  }
  if (typeof options.realm !== 'string' || options.realm === '')
    throw new TypeError('realm must be a string');
  const { verifier, realm, onRefused } = options;
  // Principals this guard verified itself. A principal some other middleware put on ctx.state is not
  // trusted: it would otherwise skip verification.
  const verified = new WeakSet<Principal>();

  const refuse = (ctx: Context, error: unknown) => {
    try {
      onRefused?.(error, ctx);
    } catch {
      // A failing log or metrics hook must not turn a refusal into a 500.
    }
    const response = guardErrorResponse(error, realm);
    ctx.status = response.status;
    ctx.set(response.headers);
    ctx.type = 'application/problem+json';
    ctx.body = response.body;
  };

  const guarded = (requirement: Requirement | undefined): Middleware<GuardState> =>
    async function requireAccessToken(ctx: Context, next: Next) {
      let principal: Principal;
      try {
        const token = extractBearerToken({
          authorization: headerValues(ctx.req.rawHeaders, 'authorization'),
          query: ctx.querystring,
        });
        const earlier: Principal | undefined = ctx.state.principal;
        principal = earlier && verified.has(earlier) ? earlier : await verifier.verify(token);
        verified.add(principal);
        if (requirement) authorize(principal, requirement);
      } catch (error) {
        refuse(ctx, error);
        return;
      }
      ctx.state.principal = principal;
      await next();
    };

  // The requirement rides on the middleware (`{}` = any valid token) so tooling can read what a route
  // enforces: the OpenAPI tests compare it with what the route's documentation claims.
  const declared = (requirement: Requirement | undefined) =>
    Object.assign(guarded(requirement), { requirement: requirement ?? {} });
  return {
    authenticate: () => declared(undefined),
    require(requirement) {
      validateRequirement(requirement);
      return declared(requirement);
    },
  };
}
