import type { Provider } from 'oidc-provider';

/** oidc-provider's routes we serve (provider-configuration.ts enables these) and their methods. */
const PROVIDER_ROUTES: Readonly<Record<string, readonly string[]>> = {
  token: ['POST'],
  revocation: ['POST'],
  introspection: ['POST'],
  jwks: ['GET', 'HEAD'],
};

/**
 * The public listener's paths and the methods each answers, for allowedMethodsFor: a wrong method on a
 * known path is a 405 with `Allow` (RFC 9110 §15.5.6), not oidc-provider's 404.
 *
 * The body of a 404 or 405 on this listener is RFC 9457 problem+json, as on every other listener: the
 * request reached no endpoint, so it is not an RFC 6749 §5.2 error — those are for requests an OAuth
 * endpoint received (`invalid_request`, `invalid_client`...), and oidc-provider writes them.
 *
 * Paths come from the provider itself (`pathFor`), so they follow its `routes` configuration; a route whose
 * feature is off is left out.
 */
export function publicRouteMethods(provider: Provider): Record<string, readonly string[]> {
  const routes: Record<string, readonly string[]> = {
    '/.well-known/openid-configuration': ['GET', 'HEAD'],
    // RFC 8414 metadata: oauthMetadataAlias serves it from the same document.
    '/.well-known/oauth-authorization-server': ['GET', 'HEAD'],
    '/healthz': ['GET'],
    '/readyz': ['GET'],
  };
  for (const [name, methods] of Object.entries(PROVIDER_ROUTES)) {
    const path = routePath(provider, name);
    if (path !== undefined) routes[path] = methods;
  }
  return routes;
}

function routePath(provider: Provider, name: string): string | undefined {
  try {
    return provider.pathFor(name);
  } catch {
    return undefined; // not routed: its feature is disabled
  }
}
