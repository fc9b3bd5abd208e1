import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { clientMayIntrospect } from './client-metadata.js';
import { refusedStructuredToken } from './refused-structured-token.js';

/**
 * Only clients allowed to introspect (resource servers: `introspection` on the client) get an introspection
 * answer; any other authenticated client gets 401 `invalid_client`, with `WWW-Authenticate: Basic` when it
 * authenticated with HTTP Basic (RFC 6749 §5.2). RFC 7662 §2.1 leaves who may call to the server, and §2.3
 * answers a caller without sufficient privileges with 401; oidc-provider's `allowedPolicy` cannot say this,
 * because it only runs for tokens that exist and so would tell a caller which ones do.
 *
 * The check runs after oidc-provider authenticated the client (its answer is a 200, or its refusal of a JWT
 * that only follows authentication) and replaces that answer whole: nothing of it reaches the caller.
 * Failed authentication and malformed requests keep oidc-provider's own errors.
 */
export async function introspectionForAllowedClients(ctx: Context, next: Next): Promise<void> {
  await next();
  const { oidc } = ctx as Partial<KoaContextWithOIDC>;
  if (oidc?.route !== 'introspection' || !oidc.client) return;
  const authenticated = ctx.status === 200 || refusedStructuredToken(ctx, 'introspection') !== undefined;
  if (!authenticated || clientMayIntrospect(oidc.client)) return;
  ctx.status = 401;
  ctx.type = 'application/json';
  ctx.body = {
    error: 'invalid_client',
    error_description: 'this client is not allowed to introspect tokens',
  };
  if (ctx.headers.authorization !== undefined) {
    ctx.set('WWW-Authenticate', `Basic realm="${oidc.provider.issuer}", error="invalid_client"`);
  }
}
