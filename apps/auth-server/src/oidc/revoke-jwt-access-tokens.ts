import type { Context, Next } from 'koa';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { ClientAccessTokenRevocation } from '../revocations/revoke-client-access-token.js';
import type { RevocationOutcome } from '../revocations/revoke-tokens.js';
import { refusedStructuredToken } from './refused-structured-token.js';
import { renderServerError } from './render-server-error.js';
import { tokenRevokedEvent } from './token-revoked-event.js';

export interface JwtAccessTokenRevocationDependencies {
  /** revokeClientAccessToken bound to its dependencies: null when there was nothing of this client's to revoke. */
  revoke(request: ClientAccessTokenRevocation): Promise<RevocationOutcome | null>;
  audit: RecordAuditEvent;
}

/**
 * RFC 7009 for our JWT access tokens at oidc-provider's own revocation endpoint (every path variant its
 * router matches). oidc-provider authenticates the client, then refuses the JWT because it does not store
 * it; this answers in its place: the client's own token is revoked by jti, anything else is left alone, and
 * both get RFC 7009 §2.2's 200 with an empty body. Refresh tokens never reach this: the provider handles
 * them (revocation-allowed-policy.ts).
 */
export function createJwtAccessTokenRevocation(dependencies: JwtAccessTokenRevocationDependencies) {
  return async function revokeJwtAccessTokens(ctx: Context, next: Next): Promise<void> {
    await next();
    const refused = refusedStructuredToken(ctx, 'revocation');
    if (!refused) return;
    let outcome: RevocationOutcome | null;
    try {
      outcome = await dependencies.revoke({ token: refused.token, clientId: refused.clientId });
    } catch (error) {
      // Success is answered only once the record is durable (DESIGN "Revocation"): the client retries.
      renderServerError(ctx, refused.oidc, error);
      return;
    }
    if (outcome) dependencies.audit(tokenRevokedEvent(refused.clientId, ctx.ip, outcome.revocation));
    ctx.status = 200;
    ctx.body = '';
  };
}
