import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** oidc-provider's client attestation headers (draft-ietf-oauth-attestation-based-client-auth). */
const ATTESTATION_HEADERS = ['oauth-client-attestation', 'oauth-client-attestation-pop'] as const;

/**
 * The client oidc-provider authenticated on a token, revocation or introspection request it has answered;
 * undefined when none was. For charging a per-client budget only once the client is proven.
 *
 * oidc-provider 9 puts the client on `ctx.oidc.client` as soon as it has *found* it, before checking the
 * credentials (lib/shared/client_auth.js, `authenticateClient`), so the client being there is not enough.
 * With our client authentication methods (client_secret_basic and client_secret_post only), what can still
 * go wrong after that is: a wrong or expired secret, or a method that is not the client's — all 401
 * `invalid_client` — and, with attestation headers present, a 400 `invalid_request`; attestation-based
 * authentication is off and never authenticates one of our clients. Everything after authentication answers
 * 200 or 400, except our introspection gate's 401 for a client that may not introspect
 * (introspection-for-allowed-clients.ts), which is left uncharged: no 401 is charged to a client.
 *
 * @example
 * await next();
 * const clientId = authenticatedClientId(ctx);
 * if (clientId !== undefined) appendRateLimitHeaders(ctx, await perClient.consume(clientId));
 */
export function authenticatedClientId(ctx: Context): string | undefined {
  const clientId = (ctx as Partial<KoaContextWithOIDC>).oidc?.client?.clientId;
  if (typeof clientId !== 'string' || clientId === '') return undefined;
  if (ctx.status === 401) return undefined;
  if (ATTESTATION_HEADERS.some((header) => ctx.get(header) !== '')) return undefined;
  return clientId;
}
