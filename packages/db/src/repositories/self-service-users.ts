import { Prisma, type PrismaClient } from '../generated/client.js';
import { insertAccountToken, spendAccountToken } from './account-tokens.js';
import { isUuid, normalizeUsername } from './users.js';

/**
 * Accounts as their owners manage them (issue 8): registration, email verification and password reset.
 * Each change and the token it spends or issues commit together, so a failure leaves neither half.
 */

/** An account found by its email address, as the self-service routes need it. */
export interface SelfServiceAccount {
  id: string;
  username: string;
  email: string | null;
  disabled: boolean;
  /** Self-registered and not verified yet: password logins are refused. */
  verificationPending: boolean;
}

export interface NewSelfServiceUser {
  /** Normalized (trimmed, lower-cased) before it is stored. */
  username: string;
  email: string;
  passwordHash: string;
  /** The verification token's HMAC and expiry, stored with the user. */
  verification: { tokenId: string; expiresAt: Date };
}

export type RegistrationOutcome =
  | { outcome: 'created'; userId: string }
  /** Created in place of an unverified self-registration of the same address (see registerSelfServiceUser). */
  | { outcome: 'replaced'; userId: string; replacedUserId: string }
  /** The address already belongs to an account (whatever the username asked for). */
  | { outcome: 'email_taken'; account: SelfServiceAccount }
  /** The username is taken by an account with another address (or none). */
  | { outcome: 'username_taken'; userId: string };

const accountFields = {
  id: true,
  username: true,
  email: true,
  disabled: true,
  mustVerifyEmail: true,
  emailVerifiedAt: true,
} as const satisfies Prisma.UserSelect;

type AccountRow = Prisma.UserGetPayload<{ select: typeof accountFields }>;

function toAccount(row: AccountRow): SelfServiceAccount {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    disabled: row.disabled,
    verificationPending: row.mustVerifyEmail && row.emailVerifiedAt === null,
  };
}

/** The account holding this address, compared case-insensitively (admins may have stored mixed case). */
export async function findAccountByEmail(
  prisma: PrismaClient,
  email: string,
): Promise<SelfServiceAccount | null> {
  const row = await prisma.user.findFirst({
    where: { email: { equals: email, mode: 'insensitive' } },
    select: accountFields,
  });
  return row ? toAccount(row) : null;
}

/** The account with this id, or null (also for a value that is not a uuid). */
export async function findAccountById(prisma: PrismaClient, id: string): Promise<SelfServiceAccount | null> {
  if (!isUuid(id)) return null;
  const row = await prisma.user.findUnique({ where: { id }, select: accountFields });
  return row ? toAccount(row) : null;
}

/**
 * Creates a self-registered user — no roles, no permissions, `mustVerifyEmail` — together with its
 * verification token, or says which existing account is in the way. The email is looked at first: its
 * owner is the one to tell. A concurrent registration of the same name or address ends as a unique
 * violation, which is answered like the account it lost to.
 *
 * An unverified self-registration of the address is only a claim, and is replaced: whoever registered it
 * chose its password, so a verification link for it sent to the address owner now would hand the owner an
 * account someone else can log in to (account pre-hijacking). Replaced only while nothing else hangs on it
 * (not disabled, no roles, permissions or API keys given by an admin).
 */
export async function registerSelfServiceUser(
  prisma: PrismaClient,
  user: NewSelfServiceUser,
): Promise<RegistrationOutcome> {
  const username = normalizeUsername(user.username);
  const existing = await existingAccount(prisma, username, user.email);
  const claim = existing?.outcome === 'email_taken' && existing.account.verificationPending ? existing : null;
  if (existing && !claim) return existing;
  try {
    const userId = await prisma.$transaction(async (tx) => {
      if (claim) {
        const { count } = await tx.user.deleteMany({
          where: {
            id: claim.account.id,
            mustVerifyEmail: true,
            emailVerifiedAt: null,
            disabled: false,
            roles: { none: {} },
            permissions: { none: {} },
            apiKeys: { none: {} },
          },
        });
        if (count !== 1) return null;
      }
      const created = await tx.user.create({
        data: { username, email: user.email, passwordHash: user.passwordHash, mustVerifyEmail: true },
        select: { id: true },
      });
      await insertAccountToken(tx, {
        id: user.verification.tokenId,
        purpose: 'verify_email',
        userId: created.id,
        email: user.email,
        expiresAt: user.verification.expiresAt,
      });
      return created.id;
    });
    if (userId === null) return existing as RegistrationOutcome;
    return claim
      ? { outcome: 'replaced', userId, replacedUserId: claim.account.id }
      : { outcome: 'created', userId };
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
    const winner = await existingAccount(prisma, username, user.email);
    if (!winner) throw error;
    return winner;
  }
}

async function existingAccount(
  prisma: PrismaClient,
  username: string,
  email: string,
): Promise<RegistrationOutcome | null> {
  const byEmail = await findAccountByEmail(prisma, email);
  if (byEmail) return { outcome: 'email_taken', account: byEmail };
  const byUsername = await prisma.user.findUnique({ where: { username }, select: { id: true } });
  return byUsername ? { outcome: 'username_taken', userId: byUsername.id } : null;
}

/**
 * Spends a verification token and marks the address verified — only if the account still has the address
 * the token was sent to (an address changed since proves nothing). Resolves to the user id, or null when
 * the token is unknown, spent, expired, or the address changed.
 */
export async function verifyEmailWithToken(
  prisma: PrismaClient,
  tokenId: string,
  now = new Date(),
): Promise<string | null> {
  return prisma.$transaction(async (tx) => {
    const claim = await spendAccountToken(tx, tokenId, 'verify_email', now);
    if (!claim) return null;
    const { count } = await tx.user.updateMany({
      where: { id: claim.userId, email: { equals: claim.email, mode: 'insensitive' } },
      data: { emailVerifiedAt: now },
    });
    return count === 1 ? claim.userId : null;
  });
}

export interface PasswordResetCompletion {
  userId: string;
  username: string;
}

/**
 * Spends a reset token and stores the new password hash, in one transaction with: the address marked
 * verified (following the link proved the inbox, when it is still the account's address) and every other
 * unspent reset token of the user deleted. Null when the token is unknown, spent, expired, or its account
 * has been disabled or given another address since (the token is spent all the same).
 */
export async function resetPasswordWithToken(
  prisma: PrismaClient,
  input: { tokenId: string; passwordHash: string },
  now = new Date(),
): Promise<PasswordResetCompletion | null> {
  return prisma.$transaction(async (tx) => {
    const claim = await spendAccountToken(tx, input.tokenId, 'reset_password', now);
    if (!claim) return null;
    // Only while the link's address is still the account's: an admin who moved the account off a
    // compromised mailbox has cut off the links already sent there.
    const { count } = await tx.user.updateMany({
      where: { id: claim.userId, disabled: false, email: { equals: claim.email, mode: 'insensitive' } },
      data: { passwordHash: input.passwordHash },
    });
    if (count !== 1) return null;
    await tx.user.updateMany({
      where: { id: claim.userId, emailVerifiedAt: null },
      data: { emailVerifiedAt: now },
    });
    await tx.accountToken.deleteMany({
      where: { userId: claim.userId, purpose: 'reset_password', usedAt: null },
    });
    const user = await tx.user.findUniqueOrThrow({ where: { id: claim.userId }, select: { username: true } });
    return { userId: claim.userId, username: user.username };
  });
}

/** Replaces a user's password hash (a change its owner made, the current password checked). */
export async function replaceOwnPasswordHash(
  prisma: PrismaClient,
  userId: string,
  passwordHash: string,
): Promise<boolean> {
  if (!isUuid(userId)) return false;
  const { count } = await prisma.user.updateMany({
    where: { id: userId, disabled: false },
    data: { passwordHash },
  });
  return count === 1;
}

/**
 * The ids of every grant (refresh-token family) that still has a stored artifact for the user: the Grant
 * rows themselves and anything carrying a grant id. oidc-provider keeps `accountId` in the payload only,
 * so this scans, as revocation by user does (repositories/revocations.ts); a password change is rare.
 */
export async function listUserGrantIds(prisma: PrismaClient, userId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ grantId: string }[]>`
    SELECT DISTINCT COALESCE("grantId", CASE WHEN "model" = 'Grant' THEN "id" END) AS "grantId"
    FROM "oidc_artifacts"
    WHERE "payload"->>'accountId' = ${userId}
      AND COALESCE("grantId", CASE WHEN "model" = 'Grant' THEN "id" END) IS NOT NULL`;
  return rows.map((row) => row.grantId);
}
