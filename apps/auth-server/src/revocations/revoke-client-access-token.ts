import { CLOCK_SKEW_SECONDS } from '../keys/key-schedule.js';
import { type RevocationOutcome, type RevokeTokensDependencies, revokeTokens } from './revoke-tokens.js';
import { verifyIssuedAccessToken } from './verify-issued-access-token.js';

export interface ClientAccessTokenRevocation {
  /** The JWT access token the client presented; never stored or logged. */
  token: string;
  /** The authenticated client asking. */
  clientId: string;
}

/**
 * RFC 7009 for our JWT access tokens, which oidc-provider does not store and so cannot revoke: a client
 * revokes an access token issued to it (`client_id` claim) by recording its jti through revokeTokens.
 * Anything else — malformed, forged, expired, another client's — is null, no effect (RFC 7009 §2.2): the
 * endpoint answers 200 alike, so a client learns nothing about tokens that are not its own.
 *
 * The token counts until it is expired by more than the clock skew resource servers allow: until then one
 * of them may still accept it, so recording its jti protects something.
 *
 * @example
 * const outcome = await revokeClientAccessToken(dependencies, { token, clientId: client.clientId });
 * if (outcome) audit({ type: 'token.revoked', details: { kind: 'jti', value: outcome.revocation.value } });
 */
export async function revokeClientAccessToken(
  dependencies: RevokeTokensDependencies,
  request: ClientAccessTokenRevocation,
): Promise<RevocationOutcome | null> {
  const verified = await verifyIssuedAccessToken(dependencies.prisma, request.token, {
    issuer: dependencies.issuer,
    now: dependencies.now?.() ?? new Date(),
    clockToleranceSeconds: CLOCK_SKEW_SECONDS,
  });
  if (!verified || verified.claims.client_id !== request.clientId) return null;
  return revokeTokens(dependencies, {
    kind: 'jti',
    value: verified.claims.jti,
    actor: request.clientId,
    reason: 'revoked by the client (RFC 7009)',
  });
}
