import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import {
  createOidcAdapterClass,
  deleteExpiredArtifacts,
  type OidcAdapter,
} from '../../src/oidc-artifact-adapter.js';
import type { PrismaClient } from '../../src/prisma-client.js';

/** oidc-provider's adapter contract, against real PostgreSQL. */
describe('PostgreSQL oidc-provider adapter', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;
  let Adapter: new (model: string) => OidcAdapter;

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
    prisma = database.prisma;
    Adapter = createOidcAdapterClass(prisma, async (id) =>
      id === 'known' ? { client_id: 'known' } : undefined,
    );
  });
  afterAll(async () => database?.close());

  it('stores, finds and overwrites a payload by model and id', async () => {
    const grants = new Adapter('Grant');
    await grants.upsert('g1', { jti: 'g1', accountId: 'u1' }, 60);
    expect(await grants.find('g1')).toEqual({ jti: 'g1', accountId: 'u1' });
    await grants.upsert('g1', { jti: 'g1', accountId: 'u2' }, 60);
    expect(await grants.find('g1')).toEqual({ jti: 'g1', accountId: 'u2' });
    expect(await new Adapter('Session').find('g1')).toBeUndefined();
    expect(await grants.find('missing')).toBeUndefined();
  });

  it('finds by uid and by user code', async () => {
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'uid-1' }, 60);
    expect(await sessions.findByUid('uid-1')).toEqual({ uid: 'uid-1' });
    const codes = new Adapter('DeviceCode');
    await codes.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await codes.findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH' });
  });

  it('marks a consumed artifact with the epoch second it was consumed, once', async () => {
    const tokens = new Adapter('RefreshToken');
    await tokens.upsert('r1', { grantId: 'g9' }, 60);
    await tokens.consume('r1');
    const first = (await tokens.find('r1'))?.consumed;
    expect(typeof first).toBe('number');
    expect(Math.abs((first as number) - Date.now() / 1000)).toBeLessThan(5);
    await tokens.consume('r1');
    expect((await tokens.find('r1'))?.consumed).toBe(first);
  });

  it('destroys one artifact, and revokes every artifact of a grant across models', async () => {
    const refreshTokens = new Adapter('RefreshToken');
    const accessTokens = new Adapter('AccessToken');
    await refreshTokens.upsert('r2', { grantId: 'g2' }, 60);
    await accessTokens.upsert('a2', { grantId: 'g2' }, 60);
    await refreshTokens.upsert('r3', { grantId: 'g3' }, 60);

    await refreshTokens.destroy('r3');
    expect(await refreshTokens.find('r3')).toBeUndefined();

    await refreshTokens.revokeByGrantId('g2');
    expect(await refreshTokens.find('r2')).toBeUndefined();
    expect(await accessTokens.find('a2')).toBeUndefined();
  });

  it('reads clients through the client loader, not the artifact table', async () => {
    const clients = new Adapter('Client');
    expect(await clients.find('known')).toEqual({ client_id: 'known' });
    expect(await clients.find('unknown')).toBeUndefined();
  });

  it('deletes expired artifacts and keeps live ones', async () => {
    const grants = new Adapter('Grant');
    await grants.upsert('expired', {}, 1);
    await grants.upsert('live', {}, 3600);
    const removed = await deleteExpiredArtifacts(prisma, new Date(Date.now() + 5_000));
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await grants.find('expired')).toBeUndefined();
    expect(await grants.find('live')).toEqual({});
  });
});
