import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import { createLoginLockout } from '../../src/credentials/login-lockout.js';

const T0 = Date.UTC(2030, 0, 1);

/**
 * What the lockout stores in login_throttles (real PostgreSQL): row ids keyed by a secret, so a dump of the
 * table cannot be matched against hashes of every username × IPv4 address.
 */
describe('createLoginLockout row ids', () => {
  let database: TestPrismaDatabase;
  const secret = randomBytes(32);
  const lockout = (withSecret: Uint8Array = secret) =>
    createLoginLockout(database.prisma, { secret: withSecret, threshold: 2, now: () => T0 });

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
  });
  afterAll(async () => database?.close());

  it('keys row ids with a key derived from the secret, never the secret itself or no key', async () => {
    await lockout().begin('Alice', '203.0.113.1');
    const rows = await database.prisma.loginThrottle.findMany();
    expect(rows).toHaveLength(1);
    const id = rows[0]!.id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const throttleKey = 'user-ip:alice|203.0.113.1';
    expect(id).not.toBe(createHash('sha256').update(throttleKey).digest('hex'));
    // CLIENT_SECRET_PEPPER also keys client-secret HMACs: the lockout must not use it as its key.
    expect(id).not.toBe(createHmac('sha256', secret).update(throttleKey).digest('hex'));
    expect(JSON.stringify(rows)).not.toMatch(/alice|203\.0\.113/i);
  });

  it('shares a lock between instances with the same secret, and no other', async () => {
    for (let i = 0; i < 2; i += 1) await lockout().begin('bob', '203.0.113.2');
    expect((await lockout().begin('bob', '203.0.113.2')).allowed).toBe(false);
    expect((await lockout(randomBytes(32)).begin('bob', '203.0.113.2')).allowed).toBe(true);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => createLoginLockout(database.prisma, { secret: randomBytes(16) })).toThrow(
      /secret must be at least 32 bytes/,
    );
  });
});
