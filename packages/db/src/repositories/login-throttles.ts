import { createHmac } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/client.js';

/**
 * The password grant's lockout (DESIGN.md "Rate limiting and brute force"), in PostgreSQL so that a Redis
 * restart does not forget it and every auth-server instance sees the same count. Rows are keyed by an
 * HMAC-SHA-256 of the throttle key under a server secret: no username or address is stored in the clear,
 * and a dump of the table cannot be reversed by hashing every username × IPv4 address, as an unkeyed hash
 * could.
 */

declare const loginThrottleIdBrand: unique symbol;
/** A login_throttles row id, from `loginThrottleId` (never a throttle key itself, which would store it). */
export type LoginThrottleId = string & { readonly [loginThrottleIdBrand]: true };

export interface LoginLockoutPolicy {
  /** Consecutive failures that lock the key; each failure after that doubles the lock. */
  threshold: number;
  /** The first lock, in seconds. */
  baseLockSeconds: number;
  /** No lock is longer than this. */
  maxLockSeconds: number;
  /** Failures older than this are forgotten; longer than maxLockSeconds, so waiting out a lock resets nothing. */
  failureWindowSeconds: number;
}

export type LoginAttemptReservation =
  /** Go ahead and check the password; `failures` counts this attempt as failed until it succeeds. */
  | { allowed: true; failures: number }
  /** Locked: refuse without checking the password. */
  | { allowed: false; lockedUntil: Date };

/**
 * The row id of a throttle key such as `user-ip:<username>|<address>`: HMAC-SHA-256 under `idKey`, a secret
 * of at least 32 bytes used for nothing else (derive it; see the auth server's login-lockout.ts).
 *
 * @example
 * const id = loginThrottleId(idKey, `user-ip:${username}|${address}`);
 */
export function loginThrottleId(idKey: Uint8Array, key: string): LoginThrottleId {
  if (!(idKey instanceof Uint8Array) || idKey.byteLength < 32) {
    throw new TypeError('loginThrottleId: idKey must be at least 32 bytes');
  }
  return createHmac('sha256', idKey).update(key, 'utf8').digest('hex') as LoginThrottleId;
}

/** A JS instant as the `timestamp without time zone` (UTC) our columns hold, whatever the session zone. */
const utc = (instant: Date) => Prisma.sql`(${instant.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Counts an attempt for the row `id` as failed *before* the password is checked, in one atomic upsert,
 * unless it is locked. Counting first closes the race where many parallel attempts all pass a "not locked yet"
 * check; `clearLoginThrottle` undoes it when the password was right. The attempt that reaches the
 * threshold locks the key for baseLockSeconds, each later one for twice the previous, up to maxLockSeconds.
 *
 * @example
 * const attempt = await reserveLoginAttempt(prisma, loginThrottleId(idKey, `user-ip:${username}|${ip}`), policy);
 * if (!attempt.allowed) throw tooManyAttempts(attempt.lockedUntil);
 */
export async function reserveLoginAttempt(
  prisma: PrismaClient,
  id: LoginThrottleId,
  policy: LoginLockoutPolicy,
  now = new Date(),
): Promise<LoginAttemptReservation> {
  const windowStart = new Date(now.getTime() - policy.failureWindowSeconds * 1000);
  const failures = Prisma.sql`(CASE WHEN t."lastFailureAt" < ${utc(windowStart)} THEN 1 ELSE t."failures" + 1 END)`;
  const lockAfter = (count: Prisma.Sql) => Prisma.sql`(CASE WHEN ${count} >= ${policy.threshold}::int THEN
      ${utc(now)} + make_interval(secs => LEAST(
        ${policy.baseLockSeconds}::float8 * power(2::float8, LEAST(${count} - ${policy.threshold}::int, 40)::float8),
        ${policy.maxLockSeconds}::float8))
    END)`;

  for (let tries = 0; tries < 2; tries += 1) {
    const reserved = await prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO "login_throttles" AS t ("id", "failures", "lockedUntil", "lastFailureAt")
      VALUES (${id}, 1, ${lockAfter(Prisma.sql`1`)}, ${utc(now)})
      ON CONFLICT ("id") DO UPDATE SET
        "failures" = ${failures},
        "lockedUntil" = ${lockAfter(failures)},
        "lastFailureAt" = ${utc(now)}
      WHERE t."lockedUntil" IS NULL OR t."lockedUntil" <= ${utc(now)}
      RETURNING t."failures"`;
    const row = reserved[0];
    if (row) return { allowed: true, failures: Number(row.failures) };

    const locked = await prisma.loginThrottle.findUnique({ where: { id }, select: { lockedUntil: true } });
    if (locked?.lockedUntil && locked.lockedUntil > now)
      return { allowed: false, lockedUntil: locked.lockedUntil };
    // The lock ended or a success cleared the row between the two statements: reserve again.
  }
  return { allowed: false, lockedUntil: new Date(now.getTime() + 1000) };
}

/** A right password: forget the row's failures and any lock. */
export async function clearLoginThrottle(prisma: PrismaClient, id: LoginThrottleId): Promise<void> {
  await prisma.loginThrottle.deleteMany({ where: { id } });
}

/**
 * Takes back one attempt `reserveLoginAttempt` counted as failed although the password was never checked
 * (the server refused it as too busy to hash). Two statements, each safe against parallel attempts on the
 * pair: the count loses exactly this attempt, and a lock goes only if the remaining count no longer reaches
 * the threshold (the lock was this attempt's). A pair still past the threshold keeps its lock: erring
 * towards locked.
 */
export async function releaseLoginAttempt(
  prisma: PrismaClient,
  id: LoginThrottleId,
  threshold: number,
): Promise<void> {
  await prisma.loginThrottle.updateMany({
    where: { id, failures: { gt: 0 } },
    data: { failures: { decrement: 1 } },
  });
  await prisma.loginThrottle.updateMany({
    where: { id, failures: { lt: threshold }, lockedUntil: { not: null } },
    data: { lockedUntil: null },
  });
}

/**
 * Deletes rows whose last failure is older than `olderThan` and that hold no running lock (for the hourly
 * cleanup). Resolves to how many went.
 */
export async function deleteStaleLoginThrottles(
  prisma: PrismaClient,
  olderThan: Date,
  now = new Date(),
): Promise<number> {
  const { count } = await prisma.loginThrottle.deleteMany({
    where: {
      lastFailureAt: { lt: olderThan },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
  });
  return count;
}
