import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

export interface ProviderGrantCounters {
  tokenIssued(grantType: unknown): void;
  tokenRefused(error: unknown): void;
}

/**
 * Feeds the token endpoint's outcomes to metrics: `grant.success` by grant type, `grant.error` by its
 * RFC 6749 §5.2 error code (oidc-provider emits both from the token endpoint only). Never reads a token.
 * Subscribe every provider the host builds: a key rotation builds a new one.
 *
 * @example
 * countProviderGrants(provider, appMetrics);
 */
export function countProviderGrants(provider: Provider, counters: ProviderGrantCounters): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    counters.tokenIssued(ctx.oidc.params?.grant_type);
  });
  provider.on('grant.error', (_ctx: KoaContextWithOIDC, error: { error?: unknown }) => {
    counters.tokenRefused(error?.error);
  });
}
