import { Prisma, type PrismaClient } from '../generated/client.js';
import type { AccountTokenPurpose } from '../generated/enums.js';

/**
 * Single-use, short-lived tokens sent by email (issue 8): email verification and password reset. Only a
 * keyed hash of a token is stored, as the row id (the app computes it); the token itself exists only in
 * the message. A token is spent by one atomic UPDATE, so two requests racing with the same token cannot
 * both succeed.
 */

export type { AccountTokenPurpose };

/** A client or an interactive transaction's client: every function here runs inside or outside one. */
export type AccountTokenClient = Pick<PrismaClient, 'accountToken' | '$queryRaw'>;

export interface NewAccountToken {
  /** HMAC of the token (never the token). */
  id: string;
  purpose: AccountTokenPurpose;
  userId: string;
  /** The address the token is sent to: a verification proves this one. */
  email: string;
  expiresAt: Date;
}

/** What a live token stands for. */
export interface AccountTokenClaim {
  userId: string;
  email: string;
}

/** A JS instant as the `timestamp without time zone` (UTC) our columns hold, whatever the session zone. */
const utc = (instant: Date) => Prisma.sql`(${instant.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Stores a token. With `supersede`, the user's unspent tokens of the same purpose are deleted first, so
 * only the newest link works (a reset requested twice leaves one way in, not two).
 */
export async function insertAccountToken(
  client: AccountTokenClient,
  token: NewAccountToken,
  { supersede = false }: { supersede?: boolean } = {},
): Promise<void> {
  if (supersede) {
    await client.accountToken.deleteMany({
      where: { userId: token.userId, purpose: token.purpose, usedAt: null },
    });
  }
  await client.accountToken.create({ data: token });
}

/**
 * What an unspent, unexpired token stands for, without spending it (to check a new password against the
 * account before the token goes). Null for an unknown, spent or expired token.
 */
export async function findLiveAccountToken(
  client: AccountTokenClient,
  id: string,
  purpose: AccountTokenPurpose,
  now = new Date(),
): Promise<AccountTokenClaim | null> {
  return client.accountToken.findFirst({
    where: { id, purpose, usedAt: null, expiresAt: { gt: now } },
    select: { userId: true, email: true },
  });
}

/**
 * Spends a token: sets `usedAt` in one UPDATE that matches only an unspent, unexpired token of this
 * purpose. Null when it matched nothing — unknown, spent (a replay), expired, or another purpose: the
 * caller answers all of them alike.
 */
export async function spendAccountToken(
  client: AccountTokenClient,
  id: string,
  purpose: AccountTokenPurpose,
  now = new Date(),
): Promise<AccountTokenClaim | null> {
  const rows = await client.$queryRaw<{ userId: string; email: string }[]>`
    UPDATE "account_tokens" SET "usedAt" = ${utc(now)}
    WHERE "id" = ${id}
      AND "purpose" = ${purpose}::"AccountTokenPurpose"
      AND "usedAt" IS NULL
      AND "expiresAt" > ${utc(now)}
    RETURNING "userId"::text AS "userId", "email"`;
  return rows[0] ?? null;
}

/** Deletes a user's unspent tokens of one purpose (after a reset, every other reset link dies). */
export async function deleteUnspentAccountTokens(
  client: AccountTokenClient,
  userId: string,
  purpose: AccountTokenPurpose,
): Promise<number> {
  const { count } = await client.accountToken.deleteMany({ where: { userId, purpose, usedAt: null } });
  return count;
}

/** Deletes tokens that expired before `olderThan` (spent or not), for the periodic cleanup. */
export async function deleteExpiredAccountTokens(
  prisma: PrismaClient,
  olderThan = new Date(),
): Promise<number> {
  const { count } = await prisma.accountToken.deleteMany({ where: { expiresAt: { lt: olderThan } } });
  return count;
}
