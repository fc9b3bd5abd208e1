import { errors } from 'jose';
import { GuardError, InvalidTokenError, type InvalidTokenReason } from './errors.js';

/**
 * Every way verification can fail becomes a GuardError. jose's typed errors map to a precise reason; anything
 * else (a TypeError from a malformed input, a WebCrypto DOMException) is a malformed token — a 401, never a
 * 500 (issue 3).
 */
export function mapJoseError(error: unknown): GuardError {
  if (error instanceof GuardError) return error;
  return new InvalidTokenError(reasonOf(error), undefined, { cause: error });
}

function reasonOf(error: unknown): InvalidTokenReason {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'disallowed_algorithm';
  if (error instanceof errors.JWTExpired) return error.claim === 'iat' ? 'too_old' : 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return claimReason(error);
  return 'malformed';
}

function claimReason(error: InstanceType<typeof errors.JWTClaimValidationFailed>): InvalidTokenReason {
  if (error.reason === 'missing') return 'missing_claim';
  switch (error.claim) {
    case 'iss':
      return 'wrong_issuer';
    case 'aud':
      return 'wrong_audience';
    case 'typ':
      return 'wrong_type';
    case 'nbf':
      // reason 'invalid' is an nbf that is not a number, which says nothing about when the token is valid.
      return error.reason === 'check_failed' ? 'not_yet_valid' : 'invalid_claim';
    case 'iat':
      // jose raises this only for an `iat` after now + tolerance ("it should be in the past").
      return error.reason === 'check_failed' ? 'issued_in_future' : 'invalid_claim';
    default:
      return 'invalid_claim';
  }
}
