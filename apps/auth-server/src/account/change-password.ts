import { findAccountById, listUserGrantIds, replaceOwnPasswordHash } from '@portcullis/db';
import { RevocationTargetNotFoundError } from '../revocations/revocation-errors.js';
import { revokeTokens } from '../revocations/revoke-tokens.js';
import type { AccountDependencies, AccountRequester } from './account-dependencies.js';
import { CurrentPasswordRejectedError, PasswordRejectedError } from './account-errors.js';
import { assertNewPasswordAcceptable } from './new-password-problems.js';

/** The user behind an account-API token. */
export interface AccountHolder {
  userId: string;
  /** The client the token was issued to (audit, lockout). */
  clientId: string;
  /** The grant of the token making the change: it stays, every other grant of the user goes. */
  grantId: string;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/**
 * A user changes their own password (issue 8). The new one is checked against the policy first (no argon2
 * work for a refused one), then the current one through the password grant's throttled authenticator, so a
 * stolen account token cannot be used to guess the password: the same per-address limit and lockout apply.
 * After the new hash is stored, every other grant of the user is revoked through the single write path —
 * refresh tokens deleted, and a `grant` revocation that every resource server applies to the access tokens
 * already out — while the grant of the session making the change keeps working.
 *
 * @throws {PasswordRejectedError} the policy refuses the new password, or it equals the current one.
 * @throws {CurrentPasswordRejectedError} the current password is wrong, or the account is gone or disabled.
 * @throws {LoginThrottledError} the per-address limit or the lockout refused the attempt (429).
 * @throws {PasswordHashingBusyError} password hashing is saturated (503).
 */
export async function changePassword(
  dependencies: AccountDependencies,
  holder: AccountHolder,
  change: PasswordChange,
  requester: AccountRequester,
): Promise<{ grantsRevoked: number }> {
  const { prisma, audit } = dependencies;
  const account = await findAccountById(prisma, holder.userId);
  if (!account || account.disabled) throw new CurrentPasswordRejectedError();
  assertNewPasswordAcceptable(change.newPassword, account);
  if (change.newPassword === change.currentPassword) throw new PasswordRejectedError(['same_as_current']);

  const authenticated = await dependencies.authenticate({
    username: account.username,
    password: change.currentPassword,
    clientId: holder.clientId,
    ip: requester.ip,
  });
  if (authenticated !== account.id) throw new CurrentPasswordRejectedError();

  const stored = await replaceOwnPasswordHash(
    prisma,
    account.id,
    await dependencies.hasher.hash(change.newPassword),
  );
  if (!stored) throw new CurrentPasswordRejectedError();

  let grantsRevoked = 0;
  for (const grantId of await listUserGrantIds(prisma, account.id)) {
    if (grantId === holder.grantId) continue;
    try {
      await revokeTokens(dependencies.revocation, {
        kind: 'grant',
        value: grantId,
        reason: 'password changed',
        actor: account.id,
      });
      grantsRevoked += 1;
    } catch (error) {
      // Expired and cleaned up (or revoked) since it was listed: nothing left to stop.
      if (!(error instanceof RevocationTargetNotFoundError)) throw error;
    }
  }
  audit({
    type: 'account.password_changed',
    subject: account.id,
    clientId: holder.clientId,
    ip: requester.ip,
    details: { grantsRevoked },
  });
  return { grantsRevoked };
}
