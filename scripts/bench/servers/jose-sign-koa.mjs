// @ts-check
// Baseline for `npm run bench`: the signing limit for client_credentials. The bare Koa POST /token plus
// HTTP Basic for one client and an RFC 9068 ES256 JWT signed with jose's SignJWT — the least work a token
// endpoint can do, so the auth server's issuance is measured against it.
//
//   PORT=3000 CLIENT_ID=… CLIENT_SECRET=… AUDIENCE=… SCOPE=… [ISSUER=http://HOST:PORT] [HOST=127.0.0.1] \
//     node scripts/bench/servers/jose-sign-koa.mjs
import { createServer } from 'node:http';
import Koa from 'koa';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  basicAuthMatches,
  benchClient,
  createAccessTokenSigner,
} from './client-credentials.mjs';
import { env, fail, listenAddress, readBody, serve } from './common.mjs';

async function main() {
  const address = listenAddress();
  const client = benchClient();
  const defaultScope = env('SCOPE');
  const sign = await createAccessTokenSigner({
    issuer: env('ISSUER', address.origin),
    audience: env('AUDIENCE'),
  });

  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/token') {
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
      return;
    }
    const body = await readBody(ctx.req);
    ctx.set('Cache-Control', 'no-store');
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: 'request body too large' };
      return;
    }
    const params = new URLSearchParams(body);
    if (!basicAuthMatches(ctx.get('authorization'), client)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="token"');
      ctx.body = { error: 'invalid_client' };
      return;
    }
    if (params.get('grant_type') !== 'client_credentials') {
      ctx.status = 400;
      ctx.body = { error: 'unsupported_grant_type' };
      return;
    }
    const scope = params.get('scope') || defaultScope;
    const accessToken = await sign(client.clientId, scope);
    ctx.body = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      scope,
    };
  });

  serve(createServer(app.callback()), address);
}

main().catch(fail);
