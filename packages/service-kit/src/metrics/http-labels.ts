import type { Context } from 'koa';

/**
 * Methods counted under their own name; anything else (WebDAV verbs, made-up ones Node's parser accepts)
 * is `other`, so a caller cannot add label values at will.
 */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Answered by createHealthRoutes ahead of any router. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);
/** oidc-provider route names are short snake_case words (`token`, `jwks`, `discovery`...). */
const PROVIDER_ROUTE = /^[a-z][a-z_]{0,63}$/;
/** Longer templates are not ours: count them as unmatched rather than as a label of unbounded size. */
const MAX_TEMPLATE_LENGTH = 200;

/** The request method as a label value: one of the standard methods, or `other`. */
export function methodLabel(method: string): string {
  return STANDARD_METHODS.has(method) ? method : 'other';
}

/**
 * The route as a label value, from a fixed set: the @koa/router template that answered (`/items/:id`), the
 * oidc-provider route name (`token`, `jwks`, `discovery`, `revocation`, `introspection`...), `/healthz` or
 * `/readyz`, and `unmatched` for everything else. Never the raw path: every distinct label value is a new
 * time series held in memory, so a label taken from the URL would let any caller exhaust the process
 * (Prometheus "Instrumentation" practices, "Use labels": do not use unbounded values such as user input).
 *
 * Read after the request ran: the router and oidc-provider set what is read here.
 */
export function routeLabel(ctx: Context): string {
  // First: oidc-provider's router also sets _matchedRoute, to its configurable path; the name is stable.
  const providerRoute = (ctx as { oidc?: { route?: unknown } }).oidc?.route;
  if (typeof providerRoute === 'string' && PROVIDER_ROUTE.test(providerRoute)) return providerRoute;
  const template = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (
    (typeof template === 'string' || template instanceof RegExp) &&
    String(template).length <= MAX_TEMPLATE_LENGTH
  ) {
    return String(template);
  }
  if (HEALTH_PATHS.has(ctx.path)) return ctx.path;
  return 'unmatched';
}
