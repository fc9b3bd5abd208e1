import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { Provider } from 'oidc-provider';
import { longestAccessTokenLifetime } from '../../src/config.js';
import type { SigningAlg } from '../../src/keys/signing-key-material.js';
import { rotateSigningKey } from '../../src/keys/signing-key-ring.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource } from '../support/test-environment.js';

const service = { id: 'svc', secret: 'svc-secret-0123456789abcdef0123456789abcdef01' };

/** What /jwks answered before the synchronous signer: oidc-provider given the private JWKs themselves. */
async function jwksBodyOfPlainProvider(issuer: string, privateJwks: unknown[]): Promise<string> {
  const provider = new Provider(issuer, { jwks: { keys: privateJwks as never } });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await (await fetch(`http://127.0.0.1:${port}/jwks`)).text();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * oidc-provider signs through our NodeCryptoSigningKey (node:crypto, synchronous) instead of jose's WebCrypto:
 * for every supported alg, JWKS publishes exactly what it published before and tokens verify against it.
 */
describe.each<SigningAlg>(['ES256', 'EdDSA', 'PS256'])('synchronous signing keys: %s', (alg) => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer({ SIGNING_ALG: alg });
    await server.addClient({
      id: service.id,
      secret: service.secret,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
  });
  afterAll(() => server?.close());

  const issue = async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:read' }, service);
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const verify = async (token: string) =>
    jwtVerify(token, createLocalJWKSet(await server.jwks()), {
      issuer: server.config.issuer,
      audience: testResource,
      algorithms: [alg],
      typ: 'at+jwt',
    });

  it('publishes a JWKS byte-identical to the one oidc-provider publishes for the private JWKs', async () => {
    const ours = await (await fetch(`${server.url}/jwks`)).text();
    const ring = server.container.providerHost.keyRing();
    expect(ours).toBe(await jwksBodyOfPlainProvider(server.config.issuer, ring.privateJwks));
    const [stored] = await server.prisma.signingKey.findMany();
    expect((JSON.parse(ours) as JSONWebKeySet).keys).toEqual([stored!.publicJwk]);
  });

  it('issues tokens that jose verifies against /jwks', async () => {
    const token = await issue();
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({
      alg,
      typ: 'at+jwt',
      kid: server.container.providerHost.keyRing().signingKid,
    });
    expect(payload).toMatchObject({ sub: service.id, client_id: service.id, scope: 'items:read' });
  });

  it('keeps both keys verifying across a rotation', async () => {
    const before = await issue();
    const { kid } = await rotateSigningKey(server.prisma, {
      keyEncryptionKey: server.config.keyEncryptionKey,
      signingAlg: alg,
      longestTokenLifetimeSeconds: longestAccessTokenLifetime(server.config),
      activationDelaySeconds: 0,
    });
    expect(await server.container.providerHost.reload()).toBe(true);
    const after = await issue();
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    await expect(verify(before)).resolves.toBeDefined();
    await expect(verify(after)).resolves.toBeDefined();
  });
});
