// @ts-check
// The issuing baselines' one confidential client and the RFC 9068 access token that jose-sign-koa.mjs and
// node-oauth-server.mjs sign: the claims the auth server puts in a client_credentials token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { env } from './common.mjs';

/** DESIGN.md "Lifetimes": client_credentials access tokens live 10 minutes. */
export const ACCESS_TOKEN_TTL_SECONDS = 600;

/** CLIENT_ID and CLIENT_SECRET, both required. */
export function benchClient() {
  return { clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET') };
}

/** @param {string} value */
const digest = (value) => createHash('sha256').update(value).digest();

/**
 * Constant-time comparison of a presented credential with the expected one (equal-length digests, so
 * timingSafeEqual neither throws nor leaks the length).
 * @param {string} presented
 * @param {string} expected
 */
export function safeEqual(presented, expected) {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * RFC 6749 §2.3.1 HTTP Basic client authentication (form-urlencoded id and secret) against the one client.
 * @param {string | undefined} authorization
 * @param {{ clientId: string, clientSecret: string }} client
 */
export function basicAuthMatches(authorization, client) {
  if (!authorization?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared every time: a wrong id takes as long to refuse as a wrong secret.
  const idMatches = safeEqual(formDecode(decoded.slice(0, colon)), client.clientId);
  const secretMatches = safeEqual(formDecode(decoded.slice(colon + 1)), client.clientSecret);
  return idMatches && secretMatches;
}

/** @param {string} value */
function formDecode(value) {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

/**
 * An ES256 key generated at start and a signer of RFC 9068 access tokens with jose's SignJWT (WebCrypto,
 * which runs on the libuv pool: STACK-NOTES "Where the time goes").
 * @param {{ issuer: string, audience: string }} options
 */
export async function createAccessTokenSigner({ issuer, audience }) {
  const { privateKey } = await generateKeyPair('ES256');
  const kid = randomBytes(8).toString('base64url');
  /**
   * @param {string} clientId
   * @param {string} scope
   */
  return function sign(clientId, scope) {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ client_id: clientId, scope, roles: [], permissions: [] })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(issuer)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(privateKey);
  };
}
