import koaCors from '@koa/cors';
import type { Context, Middleware, Next } from 'koa';

export interface CorsAllowlistOptions {
  /** Browser origins (`scheme://host[:port]`) allowed to read responses. Empty: CORS off. */
  origins: readonly string[];
  /** Listed in a preflight answer. Default GET, HEAD, POST. */
  allowMethods?: readonly string[];
  /** Request headers a browser may send, listed in a preflight answer. Default Authorization, Content-Type. */
  allowHeaders?: readonly string[];
  /** Response headers a browser script may read beyond the CORS-safelisted ones. */
  exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer. Default 600 s (Chromium caps at 7200). */
  maxAgeSeconds?: number;
}

/** What browser clients of these APIs need to read: limits (RFC 9110 §10.2.3, draft-ietf-httpapi-ratelimit-headers), RFC 6750 challenges, the request id. */
const DEFAULT_EXPOSE_HEADERS = [
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
] as const;
const DEFAULT_MAX_AGE_SECONDS = 600;
/** RFC 9110 §5.6.2 token: what a method or a header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** The serialization of a tuple origin (RFC 6454 §6.2): scheme, host, optional port, nothing after. */
const ORIGIN_SHAPE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@\s]+$/;

/**
 * Why `value` is not an origin an allowlist can hold, or undefined when it is one. Shared with the apps'
 * config validation, so CORS_ORIGINS and the middleware agree on what an origin is.
 *
 * @example
 * corsOriginProblem('https://app.example.com'); // undefined
 * corsOriginProblem('https://app.example.com/'); // 'must be an origin ... no path or trailing slash'
 */
export function corsOriginProblem(value: string): string | undefined {
  if (value === '*') {
    return '"*" is not allowed: list each browser origin explicitly (a wildcard lets any web site read the answers)';
  }
  const shapeProblem = `"${value}" must be an origin such as https://app.example.com (scheme://host[:port], no path or trailing slash)`;
  if (!ORIGIN_SHAPE.test(value) || !URL.canParse(value)) return shapeProblem;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `"${value}" must be an http or https origin`;
  return undefined;
}

/** The ASCII serialization browsers send in `Origin` (lower-case host, punycode, no default port). */
function normalizedOrigin(value: string): string {
  return new URL(value).origin;
}

/**
 * CORS by explicit origin allowlist (OWASP HTML5 Security Cheat Sheet, "Cross Origin Resource Sharing"),
 * on top of @koa/cors 5 — whose own defaults are `*`, and the request's Origin reflected when credentials are
 * on. Here:
 * - an `Origin` equal to a listed origin (compared as serialized origins, so `HTTPS://App.example:443` is
 *   `https://app.example`) gets `Access-Control-Allow-Origin: <that origin>` and the exposed headers;
 * - any other origin, `null` included, gets no `Access-Control-*` header at all: the browser then keeps the
 *   answer from the calling script. The request itself is still served, as it would be without CORS
 *   (browsers send `Origin` on same-origin POSTs too, and non-browser clients are not subject to CORS);
 * - a preflight (OPTIONS with `Access-Control-Request-Method`) from a listed origin is answered here: 204 with
 *   the configured methods, headers and max-age — never the requested headers reflected;
 * - a preflight from any other origin is answered 403 problem+json: a preflight is only ever sent
 *   cross-origin, so no legitimate caller is refused, and the operator sees the refused origin's requests as
 *   403s in the access log (Spring's DefaultCorsProcessor answers the same). An OPTIONS without
 *   `Access-Control-Request-Method` is not CORS and goes on to the routes (their 404/405/Allow answers);
 * - `Access-Control-Allow-Credentials` is never sent: these APIs take bearer tokens, not cookies;
 * - `Vary: Origin` on every answer, so a cache never serves one origin's answer to another;
 * - an empty allowlist turns CORS off: the middleware does nothing.
 *
 * @throws TypeError for `*`, a value that is not an http(s) origin, or an invalid method, header or max-age.
 *
 * @example
 * app.use(corsAllowlist({ origins: ['https://app.example.com'], allowMethods: ['GET', 'POST'] }));
 */
export function corsAllowlist(options: CorsAllowlistOptions): Middleware {
  const allowed = allowedOrigins(options.origins);
  const allowMethods = tokens('allowMethods', options.allowMethods ?? ['GET', 'HEAD', 'POST']);
  const allowHeaders = tokens('allowHeaders', options.allowHeaders ?? ['Authorization', 'Content-Type']);
  const exposeHeaders = tokens('exposeHeaders', options.exposeHeaders ?? DEFAULT_EXPOSE_HEADERS);
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new TypeError(`corsAllowlist: maxAgeSeconds must be a whole number >= 0, got ${maxAge}`);
  }
  if (allowed.size === 0) {
    return async function corsOff(_ctx: Context, next: Next): Promise<void> {
      await next();
    };
  }

  const matchingOrigin = (ctx: Context): string => {
    const origin = ctx.get('Origin');
    if (!origin || !URL.canParse(origin)) return '';
    const normalized = normalizedOrigin(origin);
    return allowed.has(normalized) ? normalized : '';
  };
  const cors = koaCors({
    // A falsy answer makes @koa/cors go on without any Access-Control-* header.
    origin: matchingOrigin,
    credentials: false,
    allowMethods: allowMethods.join(','),
    allowHeaders: allowHeaders.join(','),
    exposeHeaders: exposeHeaders.join(','),
    maxAge: String(maxAge),
    keepHeadersOnError: true,
  });

  return async function corsFromAllowlist(ctx: Context, next: Next): Promise<void> {
    const preflight =
      ctx.method === 'OPTIONS' && ctx.get('Origin') !== '' && ctx.get('Access-Control-Request-Method') !== '';
    if (preflight && matchingOrigin(ctx) === '') {
      ctx.vary('Origin');
      ctx.status = 403;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'this origin may not call this server from a browser (CORS)',
      };
      return;
    }
    await cors(ctx, next);
  };
}

function allowedOrigins(origins: readonly string[]): Set<string> {
  if (!Array.isArray(origins)) throw new TypeError('corsAllowlist: origins must be an array of origins');
  const allowed = new Set<string>();
  for (const origin of origins) {
    const problem = typeof origin === 'string' ? corsOriginProblem(origin) : 'must be a string';
    if (problem !== undefined) throw new TypeError(`corsAllowlist: ${problem}`);
    allowed.add(normalizedOrigin(origin));
  }
  return allowed;
}

function tokens(name: string, values: readonly string[]): readonly string[] {
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string' && TOKEN.test(value))) {
    throw new TypeError(`corsAllowlist: ${name} must be a list of header or method names`);
  }
  return values;
}
