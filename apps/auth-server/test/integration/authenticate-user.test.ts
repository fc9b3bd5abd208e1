import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrismaClient, type PrismaClient, upsertUser } from '@portcullis/db';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createUserAuthenticator } from '../../src/credentials/authenticate-user.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/credentials/password-hasher.js';

/**
 * Equal work for every failure is what keeps timing from telling users apart; tests never measure time
 * (README), so they count the argon2 verifications each path performs instead.
 */
describe('createUserAuthenticator', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let hasher: PasswordHasher;
  const verifications: string[] = [];
  const events: { type: string; details?: Record<string, unknown> }[] = [];

  const authenticate = (username: string, password: string) =>
    createUserAuthenticator(
      prisma,
      {
        ...hasher,
        verify: (hash, candidate) => {
          verifications.push('verify');
          return hasher.verify(hash, candidate);
        },
        verifyAgainstDecoy: (candidate) => {
          verifications.push('decoy');
          return hasher.verifyAgainstDecoy(candidate);
        },
      },
      (event) => events.push(event),
    )({ username, password, clientId: 'web', ip: '127.0.0.1' });

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolMax: 2 });
    hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await upsertUser(prisma, { username: 'gus', passwordHash: await hasher.hash('gus password 1') });
    await upsertUser(prisma, {
      username: 'hal',
      passwordHash: await hasher.hash('hal password 1'),
      disabled: true,
    });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it.each([
    ['right password', 'gus', 'gus password 1', true, 'verify', undefined],
    ['wrong password', 'gus', 'nope', false, 'verify', 'wrong_password'],
    ['unknown user', 'nobody', 'gus password 1', false, 'decoy', 'unknown_user'],
    ['disabled user', 'hal', 'hal password 1', false, 'verify', 'disabled'],
  ])(
    '%s: one argon2 verification, audited on failure',
    async (_case, username, password, succeeds, kind, reason) => {
      verifications.length = 0;
      events.length = 0;
      const result = await authenticate(username, password);
      expect(result !== undefined).toBe(succeeds);
      expect(verifications).toEqual([kind]);
      expect(events.map((event) => event.details?.reason)).toEqual(reason ? [reason] : []);
    },
  );

  it('upgrades a hash made with weaker parameters on a successful login', async () => {
    const weak = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const strong = await createPasswordHasher({ memoryCost: 9216, timeCost: 2, parallelism: 1 });
    await upsertUser(prisma, { username: 'ida', passwordHash: await weak.hash('ida password 1') });
    const id = await createUserAuthenticator(prisma, strong, () => {})({
      username: 'ida',
      password: 'ida password 1',
      clientId: 'web',
      ip: '127.0.0.1',
    });
    expect(id).toBeDefined();
    const { passwordHash } = await prisma.user.findUniqueOrThrow({ where: { username: 'ida' } });
    expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=9216,t=2,p=1\$/);
  });
});
