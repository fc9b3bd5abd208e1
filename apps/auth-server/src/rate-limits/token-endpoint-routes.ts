/**
 * oidc-provider's default routes for the token endpoint and its siblings that take client credentials
 * (RFC 7009 revocation, RFC 7662 introspection): one rate-limit budget for the family.
 */
export const TOKEN_ENDPOINT_ROUTES: readonly string[] = [
  '/token',
  '/token/revocation',
  '/token/introspection',
];

/**
 * A predicate true exactly for the request paths oidc-provider's router resolves to one of `routes`.
 * Its router (lib/helpers/router.js) compares upper-cased paths and, when nothing matches, retries once
 * without one trailing slash: so `/TOKEN` and `/token/` reach the token endpoint, `/token//` and
 * `/%74oken` do not. For an ASCII route, its Unicode-aware fold matches exactly the ASCII case variants,
 * which is what this compares (STACK-NOTES "oidc-provider 9": key limits on the resolved route).
 *
 * @example
 * const isTokenEndpoint = matchesProviderRoute(TOKEN_ENDPOINT_ROUTES);
 * isTokenEndpoint('/Token/'); // true
 */
export function matchesProviderRoute(routes: readonly string[]): (path: string) => boolean {
  for (const route of routes) {
    if (typeof route !== 'string' || !/^\/[\x21-\x7e]*$/.test(route) || route.includes('/:')) {
      throw new TypeError(`matchesProviderRoute: ${JSON.stringify(route)} is not a static ASCII route path`);
    }
  }
  const exact = new Set(routes);
  const folded = new Set(routes.map(asciiUpperCase));
  return (path) => {
    // The spelling every client uses, without the regex: this runs on every request (issue 7).
    if (exact.has(path)) return true;
    const candidate = asciiUpperCase(path);
    if (folded.has(candidate)) return true;
    return candidate.length > 1 && candidate.endsWith('/') && folded.has(candidate.slice(0, -1));
  };
}

function asciiUpperCase(value: string): string {
  return value.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
