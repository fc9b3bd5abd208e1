import type { RevocationKind } from '@portcullis/db';

/**
 * Why a revocation or key retirement was refused, with stable codes (STYLE.md §7); the admin API maps them to
 * 404, 400 and 409 problems.
 */

/** The user, client, signing key or grant named does not exist (or, for a grant, no longer leaves a trace). */
export class RevocationTargetNotFoundError extends Error {
  readonly code = 'ERR_REVOCATION_TARGET_NOT_FOUND';
  readonly kind: RevocationKind;
  constructor(kind: RevocationKind) {
    super(`no ${kindNames[kind]} with this ${kind === 'kid' ? 'kid' : 'id'}`);
    this.name = 'RevocationTargetNotFoundError';
    this.kind = kind;
  }
}

/** A `token` that is neither an access token we signed nor a refresh token we stored. */
export class UnrecognizedTokenError extends Error {
  readonly code = 'ERR_UNRECOGNIZED_TOKEN';
  constructor() {
    super('not a token this server issued');
    this.name = 'UnrecognizedTokenError';
  }
}

/** The key signs new tokens right now: it must be rotated out before it can be revoked or retired. */
export class SigningKeyInUseError extends Error {
  readonly code = 'ERR_SIGNING_KEY_IN_USE';
  readonly kid: string;
  constructor(kid: string) {
    super('this key signs new tokens: rotate first (POST /keys/rotate), then retire or revoke it');
    this.name = 'SigningKeyInUseError';
    this.kid = kid;
  }
}

/** A key other instances may still sign with until their next key reload: retiring it now breaks their tokens. */
export class SigningKeyRecentlySupersededError extends Error {
  readonly code = 'ERR_SIGNING_KEY_RECENTLY_SUPERSEDED';
  readonly kid: string;
  readonly retryAfterSeconds: number;
  constructor(kid: string, retryAfterSeconds: number) {
    super(
      `other auth-server instances may still sign with this key until their next key reload; retry in ${retryAfterSeconds} s`,
    );
    this.name = 'SigningKeyRecentlySupersededError';
    this.kid = kid;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A key that has not signed yet: a revocation record would lapse before it signs, so it must be retired. */
export class SigningKeyPendingError extends Error {
  readonly code = 'ERR_SIGNING_KEY_PENDING';
  readonly kid: string;
  constructor(kid: string) {
    super('this key has not signed anything yet: retire it instead (POST /keys/{kid}/retire)');
    this.name = 'SigningKeyPendingError';
    this.kid = kid;
  }
}

const kindNames: Record<RevocationKind, string> = {
  jti: 'token',
  grant: 'grant',
  user: 'user',
  client: 'client',
  kid: 'signing key',
};
