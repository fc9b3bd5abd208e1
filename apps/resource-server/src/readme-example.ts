import Router from '@koa/router';
import { createAccessTokenVerifier } from '@portcullis/guard';
import { createKoaGuard, type GuardState } from '@portcullis/guard/koa';
import Koa from 'koa';

const verifier = createAccessTokenVerifier({
  issuer: 'https://auth.example.com', // exactly the `iss` of the tokens
  audience: 'https://items.example.com', // this service's resource indicator, must be in `aud`
});
const guard = createKoaGuard({ verifier, realm: 'items' });

const router = new Router<GuardState>();
router.get('/items', guard.require({ scopes: ['items:read'] }), (ctx) => {
  ctx.body = { owner: ctx.state.principal.subject, items: [] };
});
router.delete('/items/:id', guard.require({ scopes: ['items:delete'], roles: ['admin'] }), (ctx) => {
  ctx.status = 204;
});

const app = new Koa<GuardState>().use(router.routes()).use(router.allowedMethods());
await verifier.keys.refresh().catch(() => {}); // warm the JWKS cache; until it loads, routes answer 503
app.listen(3000);
