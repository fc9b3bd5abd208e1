import {
  findAccountById,
  findLiveAccountToken,
  insertAccountToken,
  resetPasswordWithToken,
  type SelfServiceAccount,
} from '@portcullis/db';
import { revokeTokens } from '../revocations/revoke-tokens.js';
import type { AccountDependencies, AccountRequester } from './account-dependencies.js';
import { InvalidAccountTokenError } from './account-errors.js';
import { passwordResetMessage } from './account-messages.js';
import { isWellFormedToken } from './account-schemas.js';
import { assertNewPasswordAcceptable } from './new-password-problems.js';
import { expiry } from './register-account.js';

/**
 * The first half of a password reset: emails a single-use link to the address, when it belongs to an
 * account that is not disabled. The caller answers the same whatever happened. A new request replaces
 * the account's earlier links (only the newest works), so an old message found later in a mailbox opens
 * nothing. Audited either way (`sent`), without the address.
 */
export async function requestPasswordReset(
  dependencies: AccountDependencies,
  account: SelfServiceAccount | null,
  requester: AccountRequester,
): Promise<void> {
  const email = account && !account.disabled ? account.email : null;
  dependencies.audit({
    type: 'account.password_reset_requested',
    subject: account?.id,
    ip: requester.ip,
    details: { sent: email !== null },
  });
  if (!account || email === null) return;
  // Stored in the background with the mail, so an existing account answers as fast as an unknown address.
  dependencies.sendMail('reset-password', async () => {
    const reset = dependencies.tokens.issue();
    await insertAccountToken(
      dependencies.prisma,
      {
        id: reset.id,
        purpose: 'reset_password',
        userId: account.id,
        email,
        expiresAt: expiry(dependencies, dependencies.resetTtlSeconds),
      },
      { supersede: true },
    );
    return passwordResetMessage(dependencies.links, email, reset.token, dependencies.resetTtlSeconds);
  });
}

/**
 * The second half: checks the new password against the policy (the token is not spent by a refused
 * password, so the user can try another), then in one transaction spends the token, stores the new hash,
 * marks the address verified (the link proved the inbox) and deletes the account's other reset links.
 * Then a `user` revocation through the single write path: every grant and refresh token deleted, every
 * access token issued until now refused by every resource server — whoever knew the old password is out.
 * Finally the login lockout of this username from this address is cleared.
 *
 * @throws {InvalidAccountTokenError} unknown, malformed, spent (a replay) or expired token, or a disabled account.
 * @throws {PasswordRejectedError} the policy refuses the new password.
 * @throws {PasswordHashingBusyError} password hashing is saturated (503).
 */
export async function confirmPasswordReset(
  dependencies: AccountDependencies,
  input: { token: string; newPassword: string },
  requester: AccountRequester,
): Promise<void> {
  const { prisma } = dependencies;
  if (!isWellFormedToken(input.token)) throw new InvalidAccountTokenError();
  const tokenId = dependencies.tokens.idOf(input.token);
  const now = dependencies.now?.() ?? new Date();
  const claim = await findLiveAccountToken(prisma, tokenId, 'reset_password', now);
  const account = claim && (await findAccountById(prisma, claim.userId));
  if (!account || account.disabled) throw new InvalidAccountTokenError();
  assertNewPasswordAcceptable(input.newPassword, account);

  const passwordHash = await dependencies.hasher.hash(input.newPassword);
  const completed = await resetPasswordWithToken(prisma, { tokenId, passwordHash }, now);
  if (!completed) throw new InvalidAccountTokenError();

  const { artifactsDeleted } = await revokeTokens(dependencies.revocation, {
    kind: 'user',
    value: completed.userId,
    reason: 'password reset',
    actor: completed.userId,
  });
  await dependencies.lockout.succeeded(completed.username, requester.ip);
  dependencies.audit({
    type: 'account.password_reset',
    subject: completed.userId,
    ip: requester.ip,
    details: { artifactsDeleted },
  });
}
