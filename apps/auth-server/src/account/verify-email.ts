import { verifyEmailWithToken } from '@portcullis/db';
import type { AccountDependencies, AccountRequester } from './account-dependencies.js';
import { InvalidAccountTokenError } from './account-errors.js';
import { isWellFormedToken } from './account-schemas.js';

/**
 * Spends a verification token (single use: one atomic UPDATE) and marks the address verified, if the
 * account still has the address the link was sent to. From then on the password grant accepts the account.
 *
 * @throws {InvalidAccountTokenError} unknown, malformed, spent (a replay) or expired token, or the
 * account's address changed since — one error for all.
 */
export async function verifyEmail(
  dependencies: AccountDependencies,
  token: string,
  requester: AccountRequester,
): Promise<void> {
  if (!isWellFormedToken(token)) throw new InvalidAccountTokenError();
  const now = dependencies.now?.() ?? new Date();
  const userId = await verifyEmailWithToken(dependencies.prisma, dependencies.tokens.idOf(token), now);
  if (!userId) throw new InvalidAccountTokenError();
  dependencies.audit({ type: 'account.email_verified', subject: userId, ip: requester.ip });
}
