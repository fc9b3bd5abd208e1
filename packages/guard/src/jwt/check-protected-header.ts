import { InvalidTokenError } from '../errors.js';

/** Header parameters that name or carry a key: keys come from the issuer's JWKS by `kid`, nowhere else. */
const KEY_CARRYING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256'];

/**
 * The header checks made before any key is looked up, so a junk token costs no JWKS fetch: `alg` in the
 * allowlist (`disallowed_algorithm`), no key-carrying parameter (`disallowed_header`), and no `crit`
 * (`malformed`): we implement no JWS extension, and RFC 7515 §4.1.11 says to refuse a token that names one
 * as critical. (jose accepted `crit: ["b64"]` with `b64: true`, a no-op no issuer of ours sends.)
 */
export function checkProtectedHeader(
  header: Record<string, unknown>,
  algorithms: readonly string[],
): asserts header is Record<string, unknown> & { alg: string } {
  const { alg } = header;
  if (typeof alg !== 'string' || !algorithms.includes(alg))
    throw new InvalidTokenError('disallowed_algorithm');
  for (const name of KEY_CARRYING_HEADERS) {
    if (name in header) throw new InvalidTokenError('disallowed_header');
  }
  if (header.crit !== undefined) throw new InvalidTokenError('malformed');
}
