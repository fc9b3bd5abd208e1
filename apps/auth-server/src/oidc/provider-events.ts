import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { Logger } from '../logger.js';

/** Security events from oidc-provider into the audit log and the log. Never a token value. */
export function subscribeToProviderEvents(provider: Provider, audit: RecordAuditEvent, logger: Logger): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const { client, params, entities } = ctx.oidc;
    const accessToken = (entities.AccessToken ?? entities.ClientCredentials) as
      | { accountId?: string }
      | undefined;
    audit({
      type: 'token.issued',
      actor: client?.clientId,
      subject: accessToken?.accountId ?? client?.clientId,
      clientId: client?.clientId,
      ip: ctx.ip,
      details: { grantType: params?.grant_type },
    });
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    // At the RFC 7009 endpoint the revocation is audited as `token.revoked` (revocation-allowed-policy.ts).
    if (ctx.oidc.route === 'revocation') return;
    const reused = ctx.oidc.params?.grant_type === 'refresh_token';
    audit({
      type: reused ? 'refresh_token.reuse_detected' : 'grant.revoked',
      actor: ctx.oidc.client?.clientId,
      clientId: ctx.oidc.client?.clientId,
      ip: ctx.ip,
      details: { grantId },
    });
  });

  provider.on(
    'grant.error',
    (ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string }) => {
      logger.info(
        {
          event: 'grant.error',
          requestId: ctx.state.requestId,
          clientId: ctx.oidc.client?.clientId,
          error: error.error,
          description: error.error_description,
        },
        'token request refused',
      );
    },
  );

  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    logger.error({ err: error, requestId: ctx?.state?.requestId }, 'oidc-provider server error');
  });
}
