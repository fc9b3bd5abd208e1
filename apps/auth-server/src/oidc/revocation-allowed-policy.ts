import type { KoaContextWithOIDC } from 'oidc-provider';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import { type RevokeTokensDependencies, revokeTokens } from '../revocations/revoke-tokens.js';
import { tokenRevokedEvent } from './token-revoked-event.js';

interface PresentedToken {
  kind: string;
  clientId?: string | undefined;
  grantId?: string | undefined;
}

/**
 * oidc-provider's `features.revocation.allowedPolicy`, called at RFC 7009 revocation for a stored token it
 * found (a refresh token: our access tokens are JWTs, handled by revoke-jwt-access-tokens.ts).
 *
 * - Another client's token: false, so the answer is RFC 7009 §2.2's 200 with no effect. oidc-provider's
 *   default answers a confidential client 400, which tells it the token exists.
 * - The client's own refresh token: its whole grant is revoked through revokeTokens (record, then the
 *   grant's refresh tokens deleted, then broadcast), so the access tokens issued under the grant are refused
 *   everywhere too (RFC 7009 §2.1: "SHOULD also invalidate all access tokens based on the same
 *   authorization grant"). It happens here because this is oidc-provider's last step before it destroys the
 *   token and the grant: revokeTokens needs the grant to still exist, and a failure here (500) leaves the
 *   token in place for the client to retry, rather than gone with its access tokens still honoured.
 */
export function createRevocationAllowedPolicy(dependencies: {
  revocation: RevokeTokensDependencies;
  audit: RecordAuditEvent;
}) {
  return async function revocationAllowedPolicy(
    ctx: KoaContextWithOIDC,
    client: { clientId: string },
    token: PresentedToken,
  ): Promise<boolean> {
    if (token.clientId !== client.clientId) return false;
    if (token.kind === 'RefreshToken' && token.grantId) {
      const { revocation } = await revokeTokens(dependencies.revocation, {
        kind: 'grant',
        value: token.grantId,
        actor: client.clientId,
        reason: 'refresh token revoked by the client (RFC 7009)',
      });
      dependencies.audit(tokenRevokedEvent(client.clientId, ctx.ip, revocation));
    }
    return true;
  };
}
