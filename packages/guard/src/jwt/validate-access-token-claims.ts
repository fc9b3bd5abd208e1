import type { JWTPayload } from 'jose';
import { InvalidTokenError } from '../errors.js';

/** What `validateAccessTokenClaims` pins, from the verifier's resolved options. */
export interface AccessTokenClaimRules {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
}

/**
 * RFC 9068 §2.2 and DESIGN.md "Grants and tokens": what every access token must carry. Checked in jose's
 * order (`iss`, `aud`, `iat`, then the rest); every one fails as `missing_claim`, so the order only decides
 * which claim an error's cause would name.
 */
const REQUIRED_CLAIMS = ['iss', 'aud', 'iat', 'client_id', 'jti', 'exp', 'sub'] as const;
/** RFC 9068 §2.1: `at+jwt`, or its full media type; compared as jose does, case-insensitively. */
const ACCESS_TOKEN_TYPE = 'application/at+jwt';

/**
 * The header and claim checks of an access token whose signature has verified, with the rules and reasons
 * jose's `jwtVerify` applied before (README "What is checked, in order", steps 9 to 14), first failure wins:
 * `typ` (`wrong_type`), required claims present (`missing_claim`), `iss` exactly (`wrong_issuer`), `aud` the
 * audience or an array holding it (`wrong_audience`), `iat` a number (`invalid_claim`), `nbf` a number and
 * not after now + tolerance (`not_yet_valid`), `exp` a number and after now - tolerance (`expired`), and
 * `iat` neither older than maxTokenAge + tolerance (`too_old`) nor later than now + tolerance
 * (`issued_in_future`). Times are whole seconds: `now` is the clock in epoch ms, floored.
 *
 * @example
 * const claims = validateAccessTokenClaims(header, decodeJsonSegment(payload), rules, Date.now());
 */
export function validateAccessTokenClaims(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  rules: AccessTokenClaimRules,
  now: number,
): JWTPayload {
  const { typ } = header;
  if (typeof typ !== 'string' || normalizeType(typ) !== ACCESS_TOKEN_TYPE)
    throw new InvalidTokenError('wrong_type');
  for (const claim of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(claims, claim)) throw new InvalidTokenError('missing_claim');
  }
  if (claims.iss !== rules.issuer) throw new InvalidTokenError('wrong_issuer');
  if (!hasAudience(claims.aud, rules.audience)) throw new InvalidTokenError('wrong_audience');

  const nowSeconds = Math.floor(now / 1000);
  // jose refused a clock it could not read as a time (a TypeError, so `malformed`): never a pass.
  if (!Number.isFinite(nowSeconds)) throw new InvalidTokenError('malformed');
  const tolerance = rules.clockToleranceSeconds;
  const iat = numericDate(claims.iat);
  if (claims.nbf !== undefined && numericDate(claims.nbf) > nowSeconds + tolerance) {
    throw new InvalidTokenError('not_yet_valid');
  }
  if (numericDate(claims.exp) <= nowSeconds - tolerance) throw new InvalidTokenError('expired');
  const age = nowSeconds - iat;
  if (age - tolerance > rules.maxTokenAgeSeconds) throw new InvalidTokenError('too_old');
  if (age < -tolerance) throw new InvalidTokenError('issued_in_future');
  return claims as JWTPayload;
}

/** `at+jwt` and `application/at+jwt` name the same type (RFC 7515 §4.1.9: the prefix may be left off). */
function normalizeType(typ: string): string {
  const lower = typ.toLowerCase();
  return typ.includes('/') ? lower : `application/${lower}`;
}

/** RFC 7519 §4.1.3: a single string, or an array with ours among its members. */
function hasAudience(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return Array.isArray(aud) && aud.includes(audience);
}

/** RFC 7519 §2 NumericDate: any JSON number, as jose takes it. */
function numericDate(value: unknown): number {
  if (typeof value !== 'number') throw new InvalidTokenError('invalid_claim');
  return value;
}
