/**
 * Errors with a stable `code` (STYLE.md §7, after jose's JOSEError). Each carries the HTTP status and the
 * RFC 6750 error code a resource server answers with, so every adapter maps them the same way.
 */

/** Why a token was refused. Stable: metrics and logs key on it; the client sees a generic description. */
export type InvalidTokenReason =
  | 'malformed'
  | 'too_large'
  | 'disallowed_algorithm'
  | 'disallowed_header'
  | 'wrong_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'revoked'
  /** An API key whose id no record names, or whose secret does not match (told apart from nobody). */
  | 'unknown_api_key'
  /** An X-API-Key header on a route that takes only access tokens. */
  | 'api_key_not_accepted';

export abstract class GuardError extends Error {
  abstract readonly code: string;
  /** HTTP status a resource server answers with. */
  abstract readonly status: number;
  /** RFC 6750 §3.1 error code for `WWW-Authenticate`; undefined when none is sent. */
  abstract readonly oauthError: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined;
}

/** No credentials at all: RFC 6750 §3.1 says answer 401 without an error code. */
export class MissingTokenError extends GuardError {
  readonly code = 'ERR_GUARD_MISSING_TOKEN';
  readonly status = 401;
  readonly oauthError = undefined;
  constructor() {
    super('authentication required');
    this.name = 'MissingTokenError';
  }
}

/** The request carries credentials the wrong way (query string, body, two Authorization headers...). */
export class InvalidRequestError extends GuardError {
  readonly code = 'ERR_GUARD_INVALID_REQUEST';
  readonly status = 400;
  readonly oauthError = 'invalid_request';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Any token that is not a good access token for this service. */
export class InvalidTokenError extends GuardError {
  readonly code = 'ERR_GUARD_INVALID_TOKEN';
  readonly status = 401;
  readonly oauthError = 'invalid_token';
  readonly reason: InvalidTokenReason;
  constructor(reason: InvalidTokenReason, message = describeInvalidToken(reason), options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
    this.reason = reason;
  }
}

/** A good token that does not meet the route's requirement (RFC 6750 §3.1 insufficient_scope, 403). */
export class InsufficientScopeError extends GuardError {
  readonly code = 'ERR_GUARD_INSUFFICIENT_SCOPE';
  readonly status = 403;
  readonly oauthError = 'insufficient_scope';
  /** Scopes the route asks for, for the `scope` attribute of `WWW-Authenticate`. */
  readonly requiredScopes: readonly string[];
  constructor(message: string, requiredScopes: readonly string[]) {
    super(message);
    this.name = 'InsufficientScopeError';
    this.requiredScopes = requiredScopes;
  }
}

/**
 * The guard cannot decide right now (no usable signing keys, revocation state too stale). Fails closed with
 * 503 and Retry-After: the token may well be good, so 401 would be a lie and 200 a risk.
 */
export class GuardUnavailableError extends GuardError {
  readonly code = 'ERR_GUARD_UNAVAILABLE';
  readonly status = 503;
  readonly oauthError = undefined;
  readonly dependency: 'jwks' | 'revocation';
  readonly retryAfterSeconds: number;
  constructor(dependency: 'jwks' | 'revocation', retryAfterSeconds: number, options?: ErrorOptions) {
    super(`${dependency === 'jwks' ? 'signing keys' : 'revocation state'} unavailable`, options);
    this.name = 'GuardUnavailableError';
    this.dependency = dependency;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const descriptions: Record<InvalidTokenReason, string> = {
  malformed: 'the access token is malformed',
  too_large: 'the access token is too large',
  disallowed_algorithm: 'the access token is signed with an algorithm this service does not accept',
  disallowed_header: 'the access token header carries parameters this service does not accept',
  wrong_type: 'the token is not an access token',
  unknown_key: 'the access token is signed by an unknown key',
  bad_signature: 'the access token signature is invalid',
  wrong_issuer: 'the access token was issued by another issuer',
  wrong_audience: 'the access token is not meant for this service',
  missing_claim: 'the access token lacks a required claim',
  invalid_claim: 'the access token has an invalid claim',
  expired: 'the access token expired',
  not_yet_valid: 'the access token is not valid yet',
  issued_in_future: 'the access token is issued in the future',
  too_old: 'the access token is too old',
  revoked: 'the access token has been revoked',
  unknown_api_key: 'the API key is not valid',
  api_key_not_accepted: 'this route does not accept API keys; send an access token',
};

function describeInvalidToken(reason: InvalidTokenReason): string {
  return descriptions[reason];
}
