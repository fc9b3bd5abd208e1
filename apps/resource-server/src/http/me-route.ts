import Router from '@koa/router';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';

/**
 * `GET /me`: who the token (or API key, when `acceptApiKeys`) says the caller is — handy for a client
 * debugging its credentials.
 */
export function createMeRoute(
  guard: KoaGuard,
  { acceptApiKeys = false }: { acceptApiKeys?: boolean } = {},
): Router<GuardState> {
  const router = new Router<GuardState>();
  router.get('/me', guard.authenticate({ apiKey: acceptApiKeys }), (ctx) => {
    const principal = ctx.state.principal;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      kind: principal.kind,
      subject: principal.subject,
      clientId: principal.clientId,
      scopes: principal.scopes,
      roles: principal.roles,
      permissions: principal.permissions,
      tokenId: principal.tokenId,
      grantId: principal.grantId ?? null,
      credential: principal.credential ?? 'access_token',
      issuedAt: new Date(principal.issuedAt * 1000).toISOString(),
      expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
    };
  });
  return router;
}
