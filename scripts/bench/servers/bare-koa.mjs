// @ts-check
// Baseline for `npm run bench`: the "does nothing" ceiling on Koa 3. GET /me answers {"ok":true}; POST /token
// reads and parses a form body (413 above 16 KiB, like the auth server) and answers a fixed token response.
//
//   PORT=3000 [HOST=127.0.0.1] node scripts/bench/servers/bare-koa.mjs
import { createServer } from 'node:http';
import Koa from 'koa';
import { fail, listenAddress, readBody, serve } from './common.mjs';

const address = listenAddress();
const app = new Koa();
app.silent = true;

app.use(async (ctx) => {
  if (ctx.method === 'GET' && ctx.path === '/me') {
    ctx.body = { ok: true };
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/token') {
    const body = await readBody(ctx.req);
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: 'request body too large' };
      return;
    }
    // Parsed and dropped: the ceiling pays for the parsing every token endpoint does, nothing more.
    new URLSearchParams(body);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { access_token: 'x', token_type: 'Bearer', expires_in: 600 };
    return;
  }
  ctx.status = 404;
  ctx.body = { error: 'not_found' };
});

try {
  serve(createServer(app.callback()), address);
} catch (error) {
  fail(error);
}
