import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** What oidc-provider knows once it refused a JWT at its revocation or introspection endpoint. */
export interface RefusedStructuredToken {
  /** The JWT the client presented; never stored or logged. */
  token: string;
  /** The client oidc-provider authenticated. */
  clientId: string;
  oidc: KoaContextWithOIDC['oidc'];
}

/**
 * Whether oidc-provider just refused a structured (JWT) token at `route` — the revocation or introspection
 * endpoint, whatever path or case variant its router matched — and with what.
 *
 * oidc-provider does not store JWT access tokens, so both endpoints throw `unsupported_token_type` for them
 * (lib/shared/reject_structured_tokens.js). That step runs only after client authentication, duplicate
 * parameter checks and the `token` presence check have passed: this answer exists only for an authenticated
 * client that presented a JWT, and it is the one place that error is raised. Reading it after the provider
 * ran lets us answer for our access tokens while the provider's own client authentication stays the only one.
 */
export function refusedStructuredToken(
  ctx: Context,
  route: 'revocation' | 'introspection',
): RefusedStructuredToken | undefined {
  // `oidc` exists only once oidc-provider's router matched one of its routes.
  const { oidc } = ctx as Partial<KoaContextWithOIDC>;
  const body = ctx.body as { error?: unknown } | undefined;
  if (oidc?.route !== route || ctx.status !== 400 || body?.error !== 'unsupported_token_type')
    return undefined;
  const token = oidc.params?.token;
  const clientId = oidc.client?.clientId;
  if (typeof token !== 'string' || clientId === undefined) return undefined;
  return { token, clientId, oidc };
}
