import Router from '@koa/router';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';

/** `GET /me`: who the token says the caller is — handy for a client debugging its tokens. */
export function createMeRoute(guard: KoaGuard): Router<GuardState> {
  const router = new Router<GuardState>();
  router.get('/me', guard.authenticate(), (ctx) => {
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
      issuedAt: new Date(principal.issuedAt * 1000).toISOString(),
      expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
    };
  });
  return router;
}
