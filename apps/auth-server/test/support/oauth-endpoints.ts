import { isTokenRevoked, upsertClient } from '@portcullis/db';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload, SignJWT } from 'jose';
import { hashClientSecret } from '../../src/credentials/client-secret.js';
import { decryptPrivateJwk } from '../../src/keys/signing-key-material.js';
import { basicAuthorization, type TestAuthServer } from './test-auth-server.js';

export interface FormResponse {
  status: number;
  headers: Headers;
  /** The raw body: RFC 7009 answers an empty one. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface ClientCredentials {
  id: string;
  secret: string;
}

/** POST a form to the public listener, with HTTP Basic client authentication when given. */
export async function postForm(
  server: TestAuthServer,
  path: string,
  params: Record<string, string>,
  basic?: ClientCredentials,
): Promise<FormResponse> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic ? { authorization: basicAuthorization(basic.id, basic.secret) } : {}),
    },
    body: new URLSearchParams(params),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A confidential client_credentials client allowed (or not) to call introspection, as a resource server's. */
export async function addIntrospectingClient(
  server: TestAuthServer,
  client: ClientCredentials,
  introspection = true,
): Promise<void> {
  await upsertClient(server.prisma, {
    id: client.id,
    secretHash: hashClientSecret(client.secret, server.config.clientSecretPepper),
    grantTypes: ['client_credentials'],
    scopes: [],
    introspection,
  });
}

/** What the admin API's guard asks PostgreSQL for an access token (admin-revocation-check.ts). */
export async function accessTokenRevoked(server: TestAuthServer, token: string): Promise<boolean> {
  const claims = decodeJwt(token);
  return isTokenRevoked(server.prisma, {
    jti: claims.jti as string,
    grantId: claims.grant_id as string | undefined,
    subject: claims.sub as string,
    clientId: claims.client_id as string,
    kid: decodeProtectedHeader(token).kid as string,
    issuedAt: new Date((claims.iat as number) * 1000),
  });
}

/** A JWT signed with the server's own active signing key, as only a holder of KEY_ENCRYPTION_KEY could make. */
export async function signedWithOurKey(
  server: TestAuthServer,
  claims: JWTPayload,
  typ = 'at+jwt',
): Promise<string> {
  const key = await server.prisma.signingKey.findFirstOrThrow({ where: { status: 'active' } });
  const privateJwk = decryptPrivateJwk(key.privateJwkEncrypted, key.kid, server.config.keyEncryptionKey);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
    .sign(await importJWK(privateJwk, key.alg));
}
