import type { Context, Middleware, Next } from 'koa';
import type { ApiKeyVerifier } from '../api-key-verifier.js';
import { GuardError, InvalidRequestError, InvalidTokenError } from '../errors.js';
import { extractApiKey } from '../extract-api-key.js';
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
  /**
   * Checks `X-API-Key` on routes declared with `{ apiKey: true }`. Without it no route may opt in, and
   * every request carrying the header is refused (401 `api_key_not_accepted`).
   */
  apiKeys?: ApiKeyVerifier;
}

/** How a route takes its credentials. */
export interface GuardRouteOptions {
  /**
   * Also accept an API key in `X-API-Key` (machines; issue 8), checked against the same requirement. Off by
   * default: a route that did not opt in refuses the header with 401 without looking at the key.
   */
  apiKey?: boolean;
}

/** What a guard middleware declares, readable by tooling (the OpenAPI tests). */
export interface GuardDeclaration {
  /** The route's requirement; `{}` for "any valid credential". */
  readonly requirement: Requirement;
  /** Whether the route accepts X-API-Key as well as a bearer access token. */
  readonly acceptsApiKey: boolean;
}

export interface KoaGuard {
  /** Any valid access token (or API key, when opted in); puts the principal on `ctx.state.principal`. */
  authenticate(options?: GuardRouteOptions): Middleware<GuardState> & GuardDeclaration;
  /** A valid credential that meets `requirement` (checked when the route is declared). */
  require(requirement: Requirement, options?: GuardRouteOptions): Middleware<GuardState> & GuardDeclaration;
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
  if (options.apiKeys !== undefined && typeof options.apiKeys?.verify !== 'function') {
    throw new TypeError('apiKeys must have a verify(key) method');
  }
  const { verifier, realm, onRefused, apiKeys } = options;
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

  /** The caller's principal from whichever credential the request carries, as the route allows. */
  const authenticateRequest = async (ctx: Context, acceptsApiKey: boolean): Promise<Principal> => {
    const authorization = headerValues(ctx.req.rawHeaders, 'authorization');
    const apiKeyValues = headerValues(ctx.req.rawHeaders, 'x-api-key');
    const earlier: Principal | undefined = ctx.state.principal;
    if (apiKeyValues.length > 0) {
      // Refused before anything is verified: the route's contract, not the key's validity, decides.
      if (!acceptsApiKey || apiKeys === undefined) throw new InvalidTokenError('api_key_not_accepted');
      const key = extractApiKey(apiKeyValues);
      if (authorization.length > 0) {
        throw new InvalidRequestError('send either an access token or an API key, not both');
      }
      if (earlier && verified.has(earlier)) return earlier;
      return verifyApiKey(apiKeys, key as string);
    }
    const token = extractBearerToken({ authorization, query: ctx.querystring });
    return earlier && verified.has(earlier) ? earlier : verifier.verify(token);
  };

  const guarded = (requirement: Requirement | undefined, acceptsApiKey: boolean): Middleware<GuardState> =>
    async function requireCredential(ctx: Context, next: Next) {
      let principal: Principal;
      try {
        principal = await authenticateRequest(ctx, acceptsApiKey);
        verified.add(principal);
        if (requirement) authorize(principal, requirement);
      } catch (error) {
        refuse(ctx, error);
        return;
      }
      ctx.state.principal = principal;
      await next();
    };

  // The requirement and the API-key opt-in ride on the middleware (`{}` = any valid credential) so tooling
  // can read what a route enforces: the OpenAPI tests compare them with what the route's documentation claims.
  const declared = (requirement: Requirement | undefined, routeOptions: GuardRouteOptions | undefined) => {
    const acceptsApiKey = readRouteOptions(routeOptions, apiKeys !== undefined);
    return Object.assign(guarded(requirement, acceptsApiKey), {
      requirement: requirement ?? {},
      acceptsApiKey,
    });
  };
  return {
    authenticate: (routeOptions) => declared(undefined, routeOptions),
    require(requirement, routeOptions) {
      validateRequirement(requirement);
      return declared(requirement, routeOptions);
    },
  };
}

/** An implementation's stray error is a 401, never a 500 or a pass. */
async function verifyApiKey(apiKeys: ApiKeyVerifier, key: string): Promise<Principal> {
  try {
    return await apiKeys.verify(key);
  } catch (error) {
    if (error instanceof GuardError) throw error;
    throw new InvalidTokenError('malformed', 'the API key could not be verified', { cause: error });
  }
}

/** STYLE.md §4: a route asking for API keys from a guard that cannot check them fails at declaration. */
function readRouteOptions(routeOptions: GuardRouteOptions | undefined, hasApiKeys: boolean): boolean {
  if (routeOptions === undefined) return false;
  if (typeof routeOptions !== 'object' || routeOptions === null) {
    throw new TypeError('route options must be an object');
  }
  for (const key of Object.keys(routeOptions)) {
    if (key !== 'apiKey') throw new TypeError(`route options.${key} is not an option`);
  }
  const { apiKey = false } = routeOptions;
  if (typeof apiKey !== 'boolean') throw new TypeError('route options.apiKey must be a boolean');
  if (apiKey && !hasApiKeys) {
    throw new TypeError('a route accepts API keys only when the guard was created with apiKeys');
  }
  return apiKey;
}
