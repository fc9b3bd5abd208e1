import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../logger.js';
import { type RevokeTokensDependencies, revokeTokens } from '../revocations/revoke-tokens.js';

/**
 * oidc-provider's `revokeGrantPolicy`, called whenever it is about to delete a grant's tokens (lib/helpers/
 * revoke.js). When the reason is refresh-token reuse — a spent refresh token presented again, which
 * oidc-provider answers by deleting the whole grant (DESIGN "Grants and tokens") — the grant is revoked
 * through revokeTokens first, so the access tokens issued under it die at every resource server too, not
 * only the refresh tokens here. It must happen before the deletion: revokeTokens refuses a grant that has
 * left no trace. The `grant.revoked` event comes after the deletion, too late.
 *
 * Never throws into oidc-provider: the replay is refused either way, and a failure is logged loudly (the
 * grant's access tokens then live until they expire, minutes).
 *
 * Otherwise it answers oidc-provider's default: revoking one opaque access token leaves its grant alone.
 */
export function createRevokeGrantPolicy(dependencies: {
  revocation: RevokeTokensDependencies;
  logger: Logger;
}) {
  return async function revokeGrantPolicy(ctx: KoaContextWithOIDC): Promise<boolean> {
    const { route, params, entities, client } = ctx.oidc;
    const refreshToken = entities.RefreshToken as { consumed?: unknown; grantId?: string } | undefined;
    if (route === 'token' && params?.grant_type === 'refresh_token' && refreshToken?.consumed) {
      const grantId = refreshToken.grantId;
      if (grantId) {
        try {
          await revokeTokens(dependencies.revocation, {
            kind: 'grant',
            value: grantId,
            actor: client?.clientId,
            reason: 'refresh token reuse',
          });
        } catch (error) {
          dependencies.logger.error(
            { err: error, grantId, clientId: client?.clientId },
            'refresh token reuse: the grant could not be revoked; its access tokens stay valid until they expire',
          );
        }
      }
    }
    return !(route === 'revocation' && entities.AccessToken);
  };
}
