// @ts-check
// Context baseline for `npm run bench`: Express 5 + express-oauth2-jwt-bearer (Auth0's middleware) guarding
// GET /me with the same token the guard verifies.
//
// What express-oauth2-jwt-bearer 1.10 checks with this configuration (dist/index.js, defaultValidators), next
// to packages/guard: signature with a key from JWKS_URI (its own jose 4 createRemoteJWKSet), alg === ES256 and
// not none, iss, aud, exp present and not past (5 s tolerance); iat only "a number if present". It does NOT
// check `typ: at+jwt` (only with `strict: true`), does not require sub, client_id, jti or iat (also only with
// `strict`), does not bound the token's age (`maxTokenAge` unset) or size, does not refuse jku/jwk/x5u headers
// (ignored, never used for the key), and has no revocation check. The guard pins all of those and checks
// revocation on every request, so this does less work per request than ours.
//
//   PORT=3000 ISSUER=… AUDIENCE=… JWKS_URI=… [REQUIRED_SCOPE=items:read] [HOST=127.0.0.1] \
//     node scripts/bench/servers/express-jwt-bearer.mjs
import { createServer } from 'node:http';
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { env, fail, listenAddress, serve } from './common.mjs';

const address = listenAddress();
const requiredScope = process.env.REQUIRED_SCOPE;

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(
  auth({
    issuer: env('ISSUER'),
    audience: env('AUDIENCE'),
    jwksUri: env('JWKS_URI'),
    tokenSigningAlg: 'ES256',
  }),
);
if (requiredScope) app.use(requiredScopes(requiredScope));
app.get('/me', (req, res) => {
  const payload = req.auth?.payload;
  res.json({ sub: payload?.sub, client_id: payload?.client_id, scope: payload?.scope });
});
app.use((_req, res) => {
  res.status(404).json({ error: 'not_found' });
});
// Replaces Express's default handler, which writes every 401's stack to stderr.
app.use(
  /**
   * @param {{ status?: unknown, code?: string, headers?: Record<string, string> }} error
   * @param {import('express').Request} _req
   * @param {import('express').Response} res
   * @param {import('express').NextFunction} _next
   */
  (error, _req, res, _next) => {
    if (error.headers) res.set(error.headers);
    res
      .status(typeof error.status === 'number' ? error.status : 500)
      .json({ error: error.code ?? 'server_error' });
  },
);

try {
  serve(createServer(app), address);
} catch (error) {
  fail(error);
}
