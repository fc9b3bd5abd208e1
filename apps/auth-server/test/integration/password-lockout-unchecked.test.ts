import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import { createLoginLockout } from '../../src/credentials/login-lockout.js';

const T0 = Date.UTC(2030, 0, 1);

/**
 * `unchecked`: an attempt the saturated hasher refused was counted by `begin` but never checked, so it is
 * taken back — a flood from elsewhere must not lock a real user out through their own retries (real
 * PostgreSQL; time is injected).
 */
describe('createLoginLockout: unchecked attempts', () => {
  let database: TestPrismaDatabase;
  const lockout = () =>
    createLoginLockout(database.prisma, { secret: randomBytes(32), threshold: 2, now: () => T0 });

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
  });
  afterAll(async () => database?.close());

  const rowOf = async () => (await database.prisma.loginThrottle.findMany())[0];

  it('takes the attempt back, and with it the lock that attempt set', async () => {
    const pair = lockout();
    expect((await pair.begin('ann', '203.0.113.1')).allowed).toBe(true);
    expect((await pair.begin('ann', '203.0.113.1')).allowed).toBe(true);
    expect((await rowOf())?.lockedUntil).not.toBeNull();

    await pair.unchecked('ann', '203.0.113.1');
    expect(await rowOf()).toMatchObject({ failures: 1, lockedUntil: null });
    expect((await pair.begin('ann', '203.0.113.1')).allowed).toBe(true);
    await database.prisma.loginThrottle.deleteMany();
  });

  it('keeps the lock of a pair still at the threshold without the unchecked attempt', async () => {
    let clock = T0;
    const later = createLoginLockout(database.prisma, {
      secret: randomBytes(32),
      threshold: 2,
      now: () => clock,
    });
    await later.begin('ben', '203.0.113.2');
    await later.begin('ben', '203.0.113.2');
    clock += 2000; // the 1 s lock is over
    await later.begin('ben', '203.0.113.2'); // counted (3), locks again
    await later.unchecked('ben', '203.0.113.2');
    expect(await rowOf()).toMatchObject({ failures: 2, lockedUntil: expect.any(Date) });
    expect((await later.begin('ben', '203.0.113.2')).allowed).toBe(false);
    await later.unchecked('nobody', '203.0.113.9'); // no row: nothing to take back
    await database.prisma.loginThrottle.deleteMany();
  });
});
