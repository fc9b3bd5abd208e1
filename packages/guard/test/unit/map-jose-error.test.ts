import { describe, expect, it } from '@jest/globals';
import { errors } from 'jose';
import { GuardUnavailableError, InvalidTokenError, type InvalidTokenReason } from '../../src/errors.js';
import { mapJoseError } from '../../src/map-jose-error.js';

const claimFailure = (claim: string, reason: string) =>
  new errors.JWTClaimValidationFailed(`${claim} ${reason}`, {}, claim, reason);

describe('mapJoseError', () => {
  it.each<[string, unknown, InvalidTokenReason]>([
    ['a bad signature', new errors.JWSSignatureVerificationFailed(), 'bad_signature'],
    ['an algorithm jose refused', new errors.JOSEAlgNotAllowed('alg'), 'disallowed_algorithm'],
    ['an expired exp', new errors.JWTExpired('exp', {}, 'exp', 'check_failed'), 'expired'],
    ['an iat past the maximum age', new errors.JWTExpired('iat', {}, 'iat', 'check_failed'), 'too_old'],
    ['a missing claim', claimFailure('jti', 'missing'), 'missing_claim'],
    ['a missing iss', claimFailure('iss', 'missing'), 'missing_claim'],
    ['another issuer', claimFailure('iss', 'check_failed'), 'wrong_issuer'],
    ['another audience', claimFailure('aud', 'check_failed'), 'wrong_audience'],
    ['another typ', claimFailure('typ', 'check_failed'), 'wrong_type'],
    ['an nbf in the future', claimFailure('nbf', 'check_failed'), 'not_yet_valid'],
    ['an nbf that is not a number', claimFailure('nbf', 'invalid'), 'invalid_claim'],
    ['an iat in the future', claimFailure('iat', 'check_failed'), 'issued_in_future'],
    ['an iat that is not a number', claimFailure('iat', 'invalid'), 'invalid_claim'],
    ['an exp that is not a number', claimFailure('exp', 'invalid'), 'invalid_claim'],
    ['a claim jose has no name for', claimFailure('unspecified', 'unspecified'), 'invalid_claim'],
    ['a JWT that is not a JWT', new errors.JWTInvalid('nope'), 'malformed'],
    ['a JWS that is not a JWS', new errors.JWSInvalid('nope'), 'malformed'],
    ['a TypeError', new TypeError('Invalid Token or Protected Header formatting'), 'malformed'],
    ['a DOMException', new DOMException('bad', 'DataError'), 'malformed'],
    ['a thrown string', 'boom', 'malformed'],
    ['undefined', undefined, 'malformed'],
  ])('maps %s to %s', (_name, error, reason) => {
    const mapped = mapJoseError(error);
    expect(mapped).toBeInstanceOf(InvalidTokenError);
    expect((mapped as InvalidTokenError).reason).toBe(reason);
    expect(mapped.cause).toBe(error);
  });

  it('passes GuardErrors through untouched', () => {
    const unavailable = new GuardUnavailableError('jwks', 5);
    const unknownKey = new InvalidTokenError('unknown_key');
    expect(mapJoseError(unavailable)).toBe(unavailable);
    expect(mapJoseError(unknownKey)).toBe(unknownKey);
  });

  it('gives the client the generic description of the reason, not jose’s message', () => {
    const mapped = mapJoseError(claimFailure('iss', 'check_failed'));
    expect(mapped.message).toBe('the access token was issued by another issuer');
  });
});
