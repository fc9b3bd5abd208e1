import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * Test-only signing keys and forged tokens. Keys are generated per run and never written anywhere: nothing
 * outside test fixtures can sign a token our servers accept.
 */
export interface TestSigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function createTestSigningKey(
  alg = 'ES256',
  kid = `test-${randomUUID()}`,
): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface ForgeOptions {
  /** Replaces protected-header parameters (alg is the key's unless given). */
  header?: Record<string, unknown>;
  /** Merged over a complete, valid claim set; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
}

/** A well-formed RFC 9068 access token signed by `key`, with every claim our guard requires. */
export async function forgeAccessToken(
  key: TestSigningKey,
  base: { issuer: string; audience: string },
  options: ForgeOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: base.issuer,
    sub: 'forged-subject',
    aud: base.audience,
    client_id: 'forged-client',
    scope: 'items:read items:write items:delete',
    roles: ['admin'],
    permissions: ['items:read', 'items:write', 'items:delete'],
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header } as never)
    .sign(key.privateKey);
}

/** base64url of a JSON value, for hand-built tokens (alg none, tampered payloads). */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface JwksServer {
  url: string;
  /** Replaces the published keys. */
  publish(keys: JWK[]): void;
  requests(): number;
  close(): Promise<void>;
}

/** A loopback JWKS endpoint serving whatever keys the test publishes. */
export async function startJwksServer(keys: JWK[] = []): Promise<JwksServer> {
  let published = keys;
  let count = 0;
  const server: Server = createServer((_request, response) => {
    count += 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    publish: (next) => {
      published = next;
    },
    requests: () => count,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
