// @ts-check
// Baseline for `npm run bench`: oidc-provider 9 with the minimal configuration that issues RFC 9068 ES256 JWT
// access tokens for client_credentials (STACK-NOTES "oidc-provider 9"), default in-memory adapter, mounted
// directly on node:http — what the auth server's issuance costs before anything Portcullis adds.
//
//   PORT=3000 CLIENT_ID=… CLIENT_SECRET=… AUDIENCE=… SCOPE=… [ISSUER=http://HOST:PORT] [HOST=127.0.0.1] \
//     node scripts/bench/servers/bare-oidc-provider.mjs
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { ACCESS_TOKEN_TTL_SECONDS, benchClient } from './client-credentials.mjs';
import { env, fail, listenAddress, serve } from './common.mjs';

async function main() {
  const address = listenAddress();
  const { clientId, clientSecret } = benchClient();
  const audience = env('AUDIENCE');
  const scope = env('SCOPE');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' };

  const provider = new Provider(env('ISSUER', address.origin), {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [jwk] },
    // With only an EC key every client fails validation unless its id_token alg matches (STACK-NOTES).
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    scopes: ['openid', ...scope.split(' ')],
    // The default (the resource server's accessTokenTTL) is the same 600 s, but it prints a NOTICE at runtime.
    ttl: { ClientCredentials: ACCESS_TOKEN_TTL_SECONDS },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          return {
            scope,
            audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });

  serve(createServer(provider.callback()), address);
}

main().catch(fail);
