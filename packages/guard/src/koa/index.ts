/**
 * @portcullis/guard/koa — the guard as Koa middleware.
 *
 * @example
 * import { createAccessTokenVerifier } from '@portcullis/guard';
 * import { createKoaGuard } from '@portcullis/guard/koa';
 * const guard = createKoaGuard({ verifier: createAccessTokenVerifier({ issuer, audience }), realm: 'items' });
 * router.delete('/items/:id', guard.require({ scopes: ['items:delete'] }), deleteItem);
 */
export type {
  GuardDeclaration,
  GuardRouteOptions,
  GuardState,
  KoaGuard,
  KoaGuardOptions,
} from './create-koa-guard.js';
export { createKoaGuard } from './create-koa-guard.js';
