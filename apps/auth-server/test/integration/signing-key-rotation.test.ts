import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { longestAccessTokenLifetime } from '../../src/config.js';
import { loadKeyRing, rotateSigningKey } from '../../src/keys/signing-key-ring.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const service = { id: 'svc', secret: 'svc-secret-0123456789abcdef0123456789abcdef01' };

describe('signing keys', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
    await server.addClient({
      id: service.id,
      secret: service.secret,
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
  });
  afterAll(() => server.close());

  const keyOptions = () => ({
    keyEncryptionKey: server.config.keyEncryptionKey,
    signingAlg: server.config.signingAlg,
    longestTokenLifetimeSeconds: longestAccessTokenLifetime(server.config),
  });
  const issue = async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:read' }, service);
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };

  it('creates one key on first start, stores its private part encrypted and publishes only public parts', async () => {
    const [stored] = await server.prisma.signingKey.findMany();
    expect(stored).toMatchObject({ status: 'active', alg: 'ES256' });
    expect(stored!.privateJwkEncrypted).not.toContain('"d"');
    const jwks = await server.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kid: stored!.kid,
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
    });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('publishes a rotated key before it signs, then signs with it while the old key stays published', async () => {
    const oldKid = decodeProtectedHeader(await issue()).kid;

    const start = new Date();
    const { kid: newKid } = await rotateSigningKey(
      server.prisma,
      { ...keyOptions(), activationDelaySeconds: 600 },
      start,
    );
    expect(await server.container.providerHost.reload()).toBe(true);
    expect((await server.jwks()).keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(decodeProtectedHeader(await issue()).kid).toBe(oldKid);

    // Ten minutes later the new key takes over; tokens signed by the old one still verify.
    const later = new Date(start.getTime() + 601_000);
    const ring = await loadKeyRing(server.prisma, keyOptions(), later);
    expect(ring.signingKid).toBe(newKid);
    expect(ring.privateJwks.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    const old = await server.prisma.signingKey.findUniqueOrThrow({ where: { kid: oldKid! } });
    expect(old.status).toBe('retired');
    expect(old.retiresAt!.getTime()).toBe(
      start.getTime() + 600_000 + (longestAccessTokenLifetime(server.config) + 60) * 1000,
    );

    // Once every token the old key signed has expired, it leaves JWKS.
    const muchLater = new Date(old.retiresAt!.getTime() + 1000);
    const finalRing = await loadKeyRing(server.prisma, keyOptions(), muchLater);
    expect(finalRing.privateJwks.map((key) => key.kid)).toEqual([newKid]);
  });

  it('signs with a key rotated with no delay as soon as the server reloads', async () => {
    const { kid } = await rotateSigningKey(server.prisma, { ...keyOptions(), activationDelaySeconds: 0 });
    await server.container.providerHost.reload();
    const token = await issue();
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    await expect(server.verifyAccessToken(token)).resolves.toBeDefined();
  });

  it('refuses to start with the wrong key-encryption key', async () => {
    const ring = loadKeyRing(server.prisma, { ...keyOptions(), keyEncryptionKey: Buffer.alloc(32, 7) });
    await expect(ring).rejects.toThrow(/cannot be decrypted/);
  });
});
