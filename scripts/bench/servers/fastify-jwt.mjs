// @ts-check
// Context baseline for `npm run bench`: Fastify 5 + @fastify/jwt (fast-jwt underneath, node:crypto verify)
// guarding GET /me with the same token the guard verifies. The public key is fetched once from JWKS_URI at
// start and pinned as PEM: no key rotation, no refetch.
//
// With this configuration fast-jwt checks the signature, alg ES256, iss and aud, and exp and nbf only when
// present. It does not check `typ` (checkTyp unset), requires no claim (requiredClaims unset), does not bound
// iat, and has no revocation check; its verified-token cache is off (fast-jwt's `cache` defaults to false).
//
//   PORT=3000 ISSUER=… AUDIENCE=… JWKS_URI=… [KID=…] [HOST=127.0.0.1] node scripts/bench/servers/fastify-jwt.mjs
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { env, fail, listenAddress, serve } from './common.mjs';

/**
 * The JWKS key named by KID, else the first ES256 (P-256) signing key, as a PEM public key.
 * @param {string} jwksUri
 * @param {string | undefined} kid
 */
async function fetchPublicKeyPem(jwksUri, kid) {
  const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`JWKS_URI answered ${response.status}`);
  const { keys } = /** @type {{ keys?: import('node:crypto').JsonWebKey[] }} */ (await response.json());
  const key = (keys ?? []).find((jwk) =>
    kid ? jwk.kid === kid : jwk.kty === 'EC' && jwk.crv === 'P-256' && (jwk.alg ?? 'ES256') === 'ES256',
  );
  if (!key) throw new Error(kid ? `JWKS_URI has no key with kid ${kid}` : 'JWKS_URI has no ES256 key');
  return createPublicKey({ key, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

async function main() {
  const address = listenAddress();
  const issuer = env('ISSUER');
  const audience = env('AUDIENCE');
  const pem = await fetchPublicKeyPem(env('JWKS_URI'), process.env.KID || undefined);

  /** @type {import('node:http').Server | undefined} */
  let server;
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
  });
  await app.register(fastifyJwt, {
    secret: { public: pem },
    verify: { algorithms: ['ES256'], allowedIss: issuer, allowedAud: audience },
  });
  app.get('/me', async (request, reply) => {
    /** @type {{ sub?: string, client_id?: string, scope?: string }} */
    let payload;
    try {
      payload = await request.jwtVerify();
    } catch {
      reply.code(401).header('WWW-Authenticate', 'Bearer error="invalid_token"');
      return { error: 'invalid_token' };
    }
    return { sub: payload.sub, client_id: payload.client_id, scope: payload.scope };
  });
  await app.ready();
  if (!server) throw new Error('fastify did not create its server');
  serve(server, address, () => app.close());
}

main().catch(fail);
