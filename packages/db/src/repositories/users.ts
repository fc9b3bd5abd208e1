import type { PrismaClient } from '../generated/client.js';

export interface LoginCandidate {
  id: string;
  passwordHash: string;
  disabled: boolean;
  /** Self-registered and not yet verified (issue 8): a right password must still be refused. */
  mustVerifyEmail: boolean;
  emailVerifiedAt: Date | null;
}

/** Usernames are stored lower-cased: `Alice` and `alice` are one account. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export async function findLoginCandidate(
  prisma: PrismaClient,
  username: string,
): Promise<LoginCandidate | null> {
  return prisma.user.findUnique({
    where: { username: normalizeUsername(username) },
    select: { id: true, passwordHash: true, disabled: true, mustVerifyEmail: true, emailVerifiedAt: true },
  });
}

/** An account that may still hold tokens: exists and is not disabled. */
export async function findActiveUser(
  prisma: PrismaClient,
  id: string,
): Promise<{ id: string; username: string } | null> {
  if (!isUuid(id)) return null;
  return prisma.user.findFirst({ where: { id, disabled: false }, select: { id: true, username: true } });
}

/** Transparent rehash when argon2 parameters change; only replaces the hash it was computed from. */
export async function replacePasswordHash(
  prisma: PrismaClient,
  id: string,
  previousHash: string,
  nextHash: string,
): Promise<void> {
  await prisma.user.updateMany({
    where: { id, passwordHash: previousHash },
    data: { passwordHash: nextHash },
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids arrive from tokens and requests; a non-uuid would make PostgreSQL raise instead of finding nothing. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
