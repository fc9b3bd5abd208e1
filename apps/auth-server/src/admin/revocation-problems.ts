import { ProblemError } from '@portcullis/service-kit';
import type { Context, Next } from 'koa';
import {
  RevocationTargetNotFoundError,
  SigningKeyInUseError,
  SigningKeyPendingError,
  SigningKeyRecentlySupersededError,
  UnrecognizedTokenError,
} from '../revocations/revocation-errors.js';

/**
 * Maps the revocation domain's refusals to problems: an unknown target is 404, a token we did not issue is a
 * 400 on `value` (admins get a clear answer; the public RFC 7009 endpoint answers 200 instead), the signing
 * key in use is 409.
 */
export async function revocationErrorsAsProblems(_ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (error instanceof RevocationTargetNotFoundError) {
      throw new ProblemError(404, 'Not Found', { detail: error.message, kind: error.kind });
    }
    if (error instanceof UnrecognizedTokenError) {
      throw new ProblemError(400, 'Bad Request', {
        detail: error.message,
        errors: [{ path: 'value', message: error.message }],
      });
    }
    if (error instanceof SigningKeyRecentlySupersededError) {
      throw new ProblemError(
        409,
        'Conflict',
        { detail: error.message, kid: error.kid },
        { 'Retry-After': String(error.retryAfterSeconds) },
      );
    }
    if (error instanceof SigningKeyInUseError || error instanceof SigningKeyPendingError) {
      throw new ProblemError(409, 'Conflict', { detail: error.message, kid: error.kid });
    }
    throw error;
  }
}
