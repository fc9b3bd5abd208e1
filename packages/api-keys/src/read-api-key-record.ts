import { InvalidTokenError } from '@portcullis/guard';
import { isApiKeyId } from './api-key-format.js';
import { API_KEY_RECORD_TYP, type ApiKeyRecordClaims } from './api-key-record.js';

/** What a record must say to count here. */
export interface ApiKeyRecordRules {
  /** The auth server's issuer identifier, compared exactly with `iss`. */
  issuer: string;
  /** This service's resource indicator: the record's `aud` must be exactly it. */
  audience: string;
}

const REQUIRED_CLAIMS = [
  'iss',
  'aud',
  'sub',
  'client_id',
  'owner',
  'key_id',
  'key_hash',
  'scope',
  'roles',
  'permissions',
  'iat',
  'exp',
  'created_at',
] as const;

/**
 * The header and claim checks of an API key record whose signature has verified (the auth server's
 * ApiKeyRecordClaims contract), first failure wins: `typ` is API_KEY_RECORD_TYP (`wrong_type`: an access
 * token is never a record), every claim present (`missing_claim`), `iss` exactly (`wrong_issuer`), `aud`
 * exactly this audience (`wrong_audience`: a key for one API never opens another), every claim of its type
 * (`invalid_claim`), and `exp` after `now` (`expired`). Times are epoch seconds; `now` is epoch ms.
 *
 * @example
 * const claims = readApiKeyRecord(header, claims, { issuer, audience }, Date.now());
 */
export function readApiKeyRecord(
  header: Readonly<Record<string, unknown>>,
  claims: Record<string, unknown>,
  rules: ApiKeyRecordRules,
  now: number,
): ApiKeyRecordClaims {
  if (typeof header.typ !== 'string' || normalizeType(header.typ) !== `application/${API_KEY_RECORD_TYP}`) {
    throw new InvalidTokenError('wrong_type');
  }
  for (const claim of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(claims, claim)) throw new InvalidTokenError('missing_claim');
  }
  if (claims.iss !== rules.issuer) throw new InvalidTokenError('wrong_issuer');
  if (claims.aud !== rules.audience) throw new InvalidTokenError('wrong_audience');
  const record: ApiKeyRecordClaims = {
    iss: claims.iss,
    aud: claims.aud,
    sub: nonEmptyString(claims.sub),
    client_id: nonEmptyString(claims.client_id),
    owner: claims.owner === 'user' || claims.owner === 'client' ? claims.owner : invalid(),
    key_id: isApiKeyId(claims.key_id) ? claims.key_id : invalid(),
    key_hash: nonEmptyString(claims.key_hash),
    scope: typeof claims.scope === 'string' ? claims.scope : invalid(),
    roles: stringArray(claims.roles),
    permissions: stringArray(claims.permissions),
    iat: epochSeconds(claims.iat),
    exp: epochSeconds(claims.exp),
    created_at: epochSeconds(claims.created_at),
    ...(claims.key_exp === undefined ? {} : { key_exp: epochSeconds(claims.key_exp) }),
  };
  if (record.exp <= Math.floor(now / 1000)) throw new InvalidTokenError('expired');
  return record;
}

/** `apikey-record+jwt` and `application/apikey-record+jwt` name the same type (RFC 7515 §4.1.9). */
function normalizeType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

function invalid(): never {
  throw new InvalidTokenError('invalid_claim');
}

function nonEmptyString(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : invalid();
}

function stringArray(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) invalid();
  return [...value];
}

/** RFC 7519 §2 NumericDate, as a whole number of seconds: a record's times are never fractional. */
function epochSeconds(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : invalid();
}
