import { InvalidRequestError, InvalidTokenError, MissingTokenError } from './errors.js';

/** The parts of a request a bearer token may (or must not) come from. */
export interface BearerTokenSource {
  /** Every Authorization header value as received (Node keeps only the first: read `req.rawHeaders`). */
  authorization: readonly string[];
  /** The raw query string, without `?`. */
  query: string;
}

/**
 * RFC 7235 §2.1 credentials: the scheme, then `1*SP token68`. The credentials are captured whole, spaces and
 * all, so `Bearer a b` is a malformed token rather than "no credentials"; `Bearer` alone (Node strips the
 * trailing space of `Bearer `) is empty credentials.
 */
const BEARER = /^Bearer(?: +(.*))?$/is;
/** RFC 6750 §2.1 b64token; anything else cannot be one of our tokens. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Takes the access token from the one Authorization header (RFC 6750 §2.1). A token in the query string
 * (RFC 6750 §2.3: logged by every proxy) or sent twice is refused with invalid_request; the body is never
 * read, so a token there counts as no credentials.
 *
 * @example
 * const token = extractBearerToken({ authorization: headerValues(req.rawHeaders, 'authorization'), query });
 */
export function extractBearerToken(source: BearerTokenSource): string {
  // Most requests have no query string: no URLSearchParams to build for them.
  if (source.query !== '' && new URLSearchParams(source.query).has('access_token')) {
    throw new InvalidRequestError('access tokens are accepted only in the Authorization header');
  }
  if (source.authorization.length > 1) throw new InvalidRequestError('more than one Authorization header');
  const header = source.authorization[0];
  const match = header === undefined ? null : BEARER.exec(header.trim());
  if (!match) throw new MissingTokenError();
  const token = match[1] ?? '';
  if (token === '') throw new InvalidRequestError('the Bearer credentials are empty');
  if (!B64TOKEN.test(token)) throw new InvalidTokenError('malformed');
  return token;
}

/** All values of one header from Node's `rawHeaders` (name/value pairs, names in any case). */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === wanted) values.push(rawHeaders[index + 1] as string);
  }
  return values;
}
