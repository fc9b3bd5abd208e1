// @ts-check
// Baseline for `npm run bench`: @node-oauth/oauth2-server 5 on Koa 3 issuing the same RFC 9068 ES256 JWT as
// jose-sign-koa.mjs for client_credentials. The model keeps nothing (saveToken only echoes the token), so this
// measures the library's request handling plus jose signing.
//
//   PORT=3000 CLIENT_ID=… CLIENT_SECRET=… AUDIENCE=… SCOPE=… [ISSUER=http://HOST:PORT] [HOST=127.0.0.1] \
//     node scripts/bench/servers/node-oauth-server.mjs
import { createServer } from 'node:http';
import OAuth2Server from '@node-oauth/oauth2-server';
import Koa from 'koa';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  benchClient,
  createAccessTokenSigner,
  safeEqual,
} from './client-credentials.mjs';
import { env, fail, listenAddress, readBody, serve } from './common.mjs';

const { OAuthError, Request, Response } = OAuth2Server;

async function main() {
  const address = listenAddress();
  const { clientId, clientSecret } = benchClient();
  const defaultScope = env('SCOPE').split(' ');
  const sign = await createAccessTokenSigner({
    issuer: env('ISSUER', address.origin),
    audience: env('AUDIENCE'),
  });

  /** @type {OAuth2Server.ClientCredentialsModel} */
  const model = {
    async getClient(id, secret) {
      const idMatches = safeEqual(id, clientId);
      const secretMatches = safeEqual(secret ?? '', clientSecret);
      return idMatches && secretMatches ? { id: clientId, grants: ['client_credentials'] } : false;
    },
    async getUserFromClient(client) {
      return { id: client.id };
    },
    async validateScope(_user, _client, scope) {
      return scope ?? defaultScope;
    },
    async generateAccessToken(client, _user, scope) {
      return sign(client.id, (scope ?? defaultScope).join(' '));
    },
    async saveToken(token, client, user) {
      return { ...token, client, user };
    },
    // Required by the model's type, called only by authenticate(), which this baseline never serves.
    async getAccessToken() {
      return false;
    },
  };
  const oauth = new OAuth2Server({ model, accessTokenLifetime: ACCESS_TOKEN_TTL_SECONDS });

  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/token') {
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
      return;
    }
    const body = await readBody(ctx.req);
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: 'request body too large' };
      return;
    }
    const request = new Request({
      headers: /** @type {Record<string, string>} */ (ctx.req.headers),
      method: ctx.method,
      query: {},
      body: Object.fromEntries(new URLSearchParams(body)),
    });
    const response = new Response();
    try {
      await oauth.token(request, response);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
    }
    ctx.status = response.status ?? 500;
    ctx.set(/** @type {Record<string, string>} */ (response.headers ?? {}));
    ctx.body = response.body;
  });

  serve(createServer(app.callback()), address);
}

main().catch(fail);
