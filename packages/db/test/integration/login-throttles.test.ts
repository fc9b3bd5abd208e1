import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import {
  clearLoginThrottle,
  deleteStaleLoginThrottles,
  type LoginLockoutPolicy,
  loginThrottleId,
  reserveLoginAttempt,
} from '../../src/repositories/login-throttles.js';

const policy: LoginLockoutPolicy = {
  threshold: 3,
  baseLockSeconds: 1,
  maxLockSeconds: 8,
  failureWindowSeconds: 3600,
};
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const idKey = randomBytes(32);
const rowId = (key: string) => loginThrottleId(idKey, key);

/** The lockout repository against real PostgreSQL, with time injected rather than waited for. */
describe('login throttles repository', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase({ poolMax: 8 });
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());

  const reserve = (key: string, seconds: number) =>
    reserveLoginAttempt(prisma, rowId(key), policy, at(seconds));

  it('locks at the threshold, then doubles the lock with each failure up to the cap', async () => {
    const key = 'user-ip:alice|203.0.113.1';
    expect(await reserve(key, 0)).toEqual({ allowed: true, failures: 1 });
    expect(await reserve(key, 0)).toEqual({ allowed: true, failures: 2 });
    // The third attempt is let through (and counted); it locks the key for the next ones.
    expect(await reserve(key, 0)).toEqual({ allowed: true, failures: 3 });
    expect(await reserve(key, 0)).toEqual({ allowed: false, lockedUntil: at(1) });
    expect(await reserve(key, 0.999)).toEqual({ allowed: false, lockedUntil: at(1) });

    let now = 1;
    const locks: number[] = [];
    for (let failures = 4; failures <= 8; failures += 1) {
      expect(await reserve(key, now)).toEqual({ allowed: true, failures });
      const refused = await reserve(key, now);
      if (refused.allowed) throw new Error('expected a lock');
      const lockSeconds = (refused.lockedUntil.getTime() - at(now).getTime()) / 1000;
      locks.push(lockSeconds);
      now += lockSeconds;
    }
    expect(locks).toEqual([2, 4, 8, 8, 8]);
  });

  it('lets exactly `threshold` of many parallel attempts through', async () => {
    const key = 'user-ip:bob|203.0.113.2';
    const attempts = await Promise.all(Array.from({ length: 20 }, () => reserve(key, 0)));
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(3);
  });

  it('forgets failures older than the window', async () => {
    const key = 'user-ip:carol|203.0.113.3';
    await reserve(key, 0);
    expect(await reserve(key, 10)).toEqual({ allowed: true, failures: 2 });
    expect(await reserve(key, 10 + 3601)).toEqual({ allowed: true, failures: 1 });
  });

  it('clears failures and the lock on success', async () => {
    const key = 'user-ip:dave|203.0.113.4';
    for (let i = 0; i < 3; i += 1) await reserve(key, 0);
    expect((await reserve(key, 0)).allowed).toBe(false);
    await clearLoginThrottle(prisma, rowId(key));
    expect(await reserve(key, 0)).toEqual({ allowed: true, failures: 1 });
  });

  it('keeps keys apart: a lock for one address does not lock another', async () => {
    for (let i = 0; i < 4; i += 1) await reserve('user-ip:erin|198.51.100.66', 0);
    expect((await reserve('user-ip:erin|198.51.100.66', 0)).allowed).toBe(false);
    expect(await reserve('user-ip:erin|203.0.113.5', 0)).toEqual({ allowed: true, failures: 1 });
  });

  it('stores only a keyed hash of the key', async () => {
    const key = 'user-ip:frank|203.0.113.6';
    await reserve(key, 0);
    const row = await prisma.loginThrottle.findUniqueOrThrow({ where: { id: rowId(key) } });
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row.lastFailureAt).toEqual(at(0));
    const all = JSON.stringify(await prisma.loginThrottle.findMany());
    expect(all).not.toContain('frank');
    expect(all).not.toContain('203.0.113');
    // Not the plain SHA-256 a dump could be matched against by hashing every username × address.
    expect(row.id).not.toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
  });

  it('keys ids with the secret: another secret reaches none of the rows', async () => {
    const key = 'user-ip:gus|203.0.113.10';
    for (let i = 0; i < 4; i += 1) await reserve(key, 0);
    expect((await reserve(key, 0)).allowed).toBe(false);
    const otherId = loginThrottleId(randomBytes(32), key);
    expect(otherId).not.toBe(rowId(key));
    expect(await reserveLoginAttempt(prisma, otherId, policy, at(0))).toEqual({ allowed: true, failures: 1 });
  });

  it('refuses a short id key', () => {
    expect(() => loginThrottleId(randomBytes(16), 'user-ip:x|203.0.113.11')).toThrow(TypeError);
    expect(() => loginThrottleId('secret' as never, 'user-ip:x|203.0.113.11')).toThrow(TypeError);
  });

  it('deletes stale rows, but never one whose lock is still running', async () => {
    await prisma.loginThrottle.deleteMany();
    const stale = 'user-ip:gina|203.0.113.7';
    const recent = 'user-ip:hank|203.0.113.8';
    const lockedLong = 'user-ip:ivan|203.0.113.9';
    await reserve(stale, 0);
    await reserve(recent, 7200);
    await prisma.loginThrottle.create({
      data: { id: rowId(lockedLong), failures: 9, lockedUntil: at(9000), lastFailureAt: at(0) },
    });

    expect(await deleteStaleLoginThrottles(prisma, at(7200 - 3600), at(7200))).toBe(1);
    const left = (await prisma.loginThrottle.findMany()).map((row) => row.id).sort();
    expect(left).toEqual([rowId(recent), rowId(lockedLong)].sort());
  });
});
