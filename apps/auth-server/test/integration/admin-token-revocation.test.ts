import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

/** The admin API checks the revocation records itself: a revoked admin token stops working at once. */
describe('admin API: revoked admin tokens', () => {
  let server: TestAuthServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
  }, 30_000);
  afterAll(async () => server?.close());

  const revoke = async (kind: string, value: string) => {
    const response = await adminRequest(server, '/revocations', admin, {
      method: 'POST',
      body: { kind, value },
    });
    expect(response.status).toBe(201);
  };
  const usersStatus = async (token: string) => (await adminRequest(server, '/users', token)).status;

  it('refuses a token revoked by its jti, and only that token', async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    expect(await usersStatus(victim)).toBe(200);

    await revoke('jti', decodeJwt(victim).jti as string);

    const refused = await adminRequest(server, '/users', victim);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await usersStatus(admin)).toBe(200);
  });

  it('refuses a token revoked by submitting the token itself', async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    await revoke('token', victim);
    expect(await usersStatus(victim)).toBe(401);
  });

  it('refuses every earlier token of a revoked client, and accepts the ones it gets afterwards', async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    const clientId = decodeJwt(victim).client_id as string;
    await revoke('client', clientId);
    expect(await usersStatus(victim)).toBe(401);

    // iat has whole seconds and a token from the revocation's own second counts as revoked (fail closed).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await server.token(
      { grant_type: 'client_credentials', scope: 'admin' },
      { id: clientId, secret: `${clientId}-secret` },
    );
    expect(fresh.status).toBe(200);
    expect(await usersStatus(fresh.body.access_token as string)).toBe(200);
  });

  it('answers 503, not 200, while the revocation records cannot be read', async () => {
    const victim = await adminTokenWith(server, ['admin:users:read']);
    await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations" RENAME TO "revocations_away"');
    try {
      const response = await adminRequest(server, '/users', victim);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeTruthy();
    } finally {
      await server.prisma.$executeRawUnsafe('ALTER TABLE "revocations_away" RENAME TO "revocations"');
    }
    expect(await usersStatus(victim)).toBe(200);
  });

  it('refuses to revoke a key that has not signed yet: it must be retired instead', async () => {
    const rotation = await adminRequest(server, '/keys/rotate', admin, {
      method: 'POST',
      body: { activateInSeconds: 3600 },
    });
    const { kid } = (await rotation.json()) as { kid: string };
    const response = await adminRequest(server, '/revocations', admin, {
      method: 'POST',
      body: { kind: 'kid', value: kid },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining('retire it instead') });
    expect((await adminRequest(server, `/keys/${kid}/retire`, admin, { method: 'POST' })).status).toBe(200);
  });

  it('refuses tokens signed by a revoked key once it no longer signs', async () => {
    const { kid: oldKid } = decodeProtectedHeader(admin);
    const signedByOldKey = await adminTokenWith(server, ['admin:users:read']);
    const refusedWhileSigning = await adminRequest(server, '/revocations', admin, {
      method: 'POST',
      body: { kind: 'kid', value: oldKid },
    });
    expect(refusedWhileSigning.status).toBe(409); // rotate first

    const rotation = await adminRequest(server, '/keys/rotate', admin, {
      method: 'POST',
      body: { activateInSeconds: 0 },
    });
    expect(rotation.status).toBe(201);
    const newAdmin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    expect(decodeProtectedHeader(newAdmin).kid).not.toBe(oldKid);
    const revoked = await adminRequest(server, '/revocations', newAdmin, {
      method: 'POST',
      body: { kind: 'kid', value: oldKid },
    });
    expect(revoked.status).toBe(201);

    expect(await usersStatus(signedByOldKey)).toBe(401);
    expect(await usersStatus(admin)).toBe(401);
    expect(await usersStatus(newAdmin)).toBe(200);
  });
});
