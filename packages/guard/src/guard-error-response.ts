import { GuardError, GuardUnavailableError, InsufficientScopeError, InvalidTokenError } from './errors.js';

/** A framework-neutral HTTP answer for a refused request. */
export interface GuardErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** RFC 9457 problem details plus the RFC 6750 `error` code; never echoes the token. */
  body: { type: string; title: string; status: number; detail: string; error?: string };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/**
 * Maps any error from `verify`/`authorize` to the RFC 6750 §3 response: a `WWW-Authenticate: Bearer`
 * challenge with `error` (omitted when no credentials were sent), `scope` on 403, Retry-After on 503.
 * An unknown error becomes an invalid_token 401: the guard fails closed, never with a 500.
 *
 * @example
 * const { status, headers, body } = guardErrorResponse(error, 'items');
 */
export function guardErrorResponse(error: unknown, realm: string): GuardErrorResponse {
  const refusal = error instanceof GuardError ? error : new InvalidTokenError('malformed');
  const challenge = [`realm="${quote(realm)}"`];
  if (refusal.oauthError) {
    challenge.push(`error="${refusal.oauthError}"`, `error_description="${quote(refusal.message)}"`);
  }
  if (refusal instanceof InsufficientScopeError && refusal.requiredScopes.length > 0) {
    challenge.push(`scope="${quote(refusal.requiredScopes.join(' '))}"`);
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/problem+json',
    'Cache-Control': 'no-store',
  };
  if (refusal.status === 401 || refusal.status === 403 || refusal.status === 400) {
    headers['WWW-Authenticate'] = `Bearer ${challenge.join(', ')}`;
  }
  if (refusal instanceof GuardUnavailableError) headers['Retry-After'] = String(refusal.retryAfterSeconds);
  return {
    status: refusal.status,
    headers,
    body: {
      type: 'about:blank',
      title: TITLES[refusal.status] ?? 'Error',
      status: refusal.status,
      detail: refusal.message,
      ...(refusal.oauthError ? { error: refusal.oauthError } : {}),
    },
  };
}

/**
 * RFC 7235 quoted-string: escape backslash and double quote, drop control characters. Anything else outside
 * printable ASCII becomes `?`: RFC 6750 §3 allows only %x20-7E in these attributes, and Node's setHeader
 * throws on characters above U+00FF, which would turn a refusal into a 500.
 */
function quote(value: string): string {
  return (
    value
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/[^\u0020-\u007e]/g, '?')
      .replace(/["\\]/g, '\\$&')
  );
}
