/**
 * The extension point for revocation (DESIGN.md "Revocation"). The guard calls it after a token passed every
 * other check, on every request, so an implementation answers from memory (an in-process mirror), not over
 * the network.
 *
 * Return true for a revoked token (401 invalid_token). Throw `GuardUnavailableError('revocation', retryAfter)`
 * when the mirror is too stale to trust: the guard answers 503 with Retry-After. Any other throw (another
 * GuardError included) also fails closed with 503 — never 200 for a token that might be revoked, never 401 for one that might be good.
 *
 * @example
 * const revocation: RevocationCheck = { isRevoked: (token) => denylist.has(token.tokenId) };
 */
export interface RevocationCheck {
  isRevoked(token: RevocationSubject): boolean | Promise<boolean>;
}

/** The facts of a verified token that a revocation can name (by jti, grant, user, client or signing key). */
export interface RevocationSubject {
  tokenId: string;
  grantId: string | undefined;
  subject: string;
  clientId: string;
  keyId: string;
  /** `iat`, epoch seconds: "revoke user U" refuses every token of U issued before the revocation. */
  issuedAt: number;
}
