/**
 * The JWS `typ` of an API key record. Distinct from `at+jwt`, so a record read from Redis is never accepted
 * as a bearer access token, and an access token is never accepted as a record.
 */
export const API_KEY_RECORD_TYP = 'apikey-record+jwt';

/**
 * What the auth server states about one active API key, signed with its current signing key (the JWKS every
 * resource server already trusts) as a compact JWS with header `{ alg, kid, typ: API_KEY_RECORD_TYP }`.
 * Signed because Redis carries it: whoever can write Redis must not be able to mint a key or widen one.
 *
 * A record is short-lived (`exp` at most the longest access-token lifetime, so signing-key retirement
 * covers it) and re-signed by the auth server before it expires; `roles` and `permissions` are those the
 * key names that its owner still holds at signing time.
 *
 * @example
 * { iss, aud: 'https://api.example.com', sub: 'service-a', client_id: 'service-a', key_id: '3f9c…', key_hash: 'Qm9…',
 *   scope: 'items:read', roles: [], permissions: ['items:read'], iat, exp, created_at, owner: 'client' }
 */
export interface ApiKeyRecordClaims {
  iss: string;
  /** The one resource (audience) the key is for. */
  aud: string;
  /** The owner: a user id, or a client id for a service client's key. */
  sub: string;
  /** For a client's key the client id; for a user's key the client id its tokens would carry (`api-key`). */
  client_id: string;
  /** Whose key it is. */
  owner: 'user' | 'client';
  /** The key id (public part of the key); also what revocation names (`jti` kind). */
  key_id: string;
  /** hashApiKey(API_KEY_HASH_KEY, key). */
  key_hash: string;
  /** Space-separated, as in access tokens. */
  scope: string;
  roles: string[];
  permissions: string[];
  /** Epoch seconds: when this record was signed. */
  iat: number;
  /** Epoch seconds: when this record stops counting (never after the key's own expiry). */
  exp: number;
  /** Epoch seconds: when the key was issued. "Revoke user U" refuses keys U had by then. */
  created_at: number;
  /** Epoch seconds: the key's own expiry; absent when it has none. */
  key_exp?: number;
}

/** The client id a user's API key principal carries: user keys are not issued through an OAuth client. */
export const USER_API_KEY_CLIENT_ID = 'api-key';
