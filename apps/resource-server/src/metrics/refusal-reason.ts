import {
  GuardUnavailableError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '@portcullis/guard';

/**
 * Why the guard refused a request, as a metric label from a fixed set: the InvalidTokenReason code
 * (`expired`, `wrong_audience`, `revoked`...), `insufficient_scope`, `missing_token`, `invalid_request`,
 * `jwks_unavailable` or `revocation_unavailable` (503), else `other`. Never anything from the token.
 *
 * @example
 * refusalReason(new InvalidTokenError('expired')); // 'expired'
 */
export function refusalReason(error: unknown): string {
  if (error instanceof InvalidTokenError) return error.reason;
  if (error instanceof InsufficientScopeError) return 'insufficient_scope';
  if (error instanceof MissingTokenError) return 'missing_token';
  if (error instanceof InvalidRequestError) return 'invalid_request';
  if (error instanceof GuardUnavailableError) return `${error.dependency}_unavailable`;
  return 'other';
}
