import { insertAccountToken, registerSelfServiceUser, type SelfServiceAccount } from '@portcullis/db';
import type { AccountDependencies, AccountRequester } from './account-dependencies.js';
import { alreadyRegisteredMessage, verificationMessage } from './account-messages.js';
import { assertNewPasswordAcceptable } from './new-password-problems.js';

export interface RegistrationInput {
  username: string;
  /** Lower-cased by the schema. */
  email: string;
  password: string;
}

/**
 * Self-registration (issue 8). The caller learns nothing about existing accounts: every valid request
 * gets the same answer, and the password is hashed whatever happens next, so a taken name or address does
 * not answer faster. Only the owner of an address hears about it, by email:
 * - a new account (no roles, email unverified) gets a verification link;
 * - an address whose account was never verified: that account is replaced by the new registration (see
 *   registerSelfServiceUser: pre-hijacking), which gets the link; when it cannot be replaced, no email;
 * - an address with a verified account gets a "you already have an account" notice with the way to reset
 *   the password;
 * - a username taken by an account with another address: no email at all. A message to the address in
 *   the request would tell whoever typed it that the username exists; the person typing it is not proven
 *   to own any account, so they learn nothing, and pick another name when no link arrives.
 *
 * @throws {PasswordRejectedError} the password policy refuses the password (before anything is looked up).
 */
export async function registerAccount(
  dependencies: AccountDependencies,
  input: RegistrationInput,
  requester: AccountRequester,
): Promise<void> {
  const { prisma, hasher, tokens, audit } = dependencies;
  assertNewPasswordAcceptable(input.password, { username: input.username, email: input.email });
  const passwordHash = await hasher.hash(input.password);
  const verification = tokens.issue();
  const outcome = await registerSelfServiceUser(prisma, {
    username: input.username,
    email: input.email,
    passwordHash,
    verification: {
      tokenId: verification.id,
      expiresAt: expiry(dependencies, dependencies.verificationTtlSeconds),
    },
  });
  switch (outcome.outcome) {
    case 'created':
      audit({ type: 'account.registered', subject: outcome.userId, ip: requester.ip });
      sendVerification(dependencies, input.email, verification.token);
      return;
    case 'replaced':
      audit({
        type: 'account.registered',
        subject: outcome.userId,
        ip: requester.ip,
        details: { replacedUnverified: outcome.replacedUserId },
      });
      sendVerification(dependencies, input.email, verification.token);
      return;
    case 'email_taken':
      audit({
        type: 'account.registration_declined',
        subject: outcome.account.id,
        ip: requester.ip,
        details: { reason: 'email_taken' },
      });
      await tellAddressOwner(dependencies, outcome.account, input.email);
      return;
    case 'username_taken':
      audit({
        type: 'account.registration_declined',
        subject: outcome.userId,
        ip: requester.ip,
        details: { reason: 'username_taken' },
      });
      return;
  }
}

/** Re-sends a verification link to an address whose account is still unverified; nothing otherwise. */
export async function resendVerification(
  dependencies: AccountDependencies,
  account: SelfServiceAccount | null,
  requester: AccountRequester,
): Promise<void> {
  const email = account?.verificationPending && !account.disabled ? account.email : null;
  dependencies.audit({
    type: 'account.verification_requested',
    subject: account?.id,
    ip: requester.ip,
    details: { sent: email !== null },
  });
  if (account && email !== null) issueVerification(dependencies, account.id, email);
}

async function tellAddressOwner(
  dependencies: AccountDependencies,
  account: SelfServiceAccount,
  address: string,
): Promise<void> {
  // Unverified and not replaced (an admin gave it something, or the new username is taken): its password
  // was chosen by whoever registered it, so the address owner gets no link to it. A password reset is the
  // owner's way in.
  if (account.verificationPending) return;
  dependencies.sendMail(
    'already-registered',
    alreadyRegisteredMessage(dependencies.links, account.email ?? address),
  );
}

/**
 * A new verification link for the account; older unspent ones stop working (only the newest link works).
 * The token is stored in the background, with the mail: the answer must not wait for work that only an
 * existing account causes.
 */
function issueVerification(dependencies: AccountDependencies, userId: string, email: string): void {
  dependencies.sendMail('verify-email', async () => {
    const verification = dependencies.tokens.issue();
    await insertAccountToken(
      dependencies.prisma,
      {
        id: verification.id,
        purpose: 'verify_email',
        userId,
        email,
        expiresAt: expiry(dependencies, dependencies.verificationTtlSeconds),
      },
      { supersede: true },
    );
    return verificationMessage(
      dependencies.links,
      email,
      verification.token,
      dependencies.verificationTtlSeconds,
    );
  });
}

function sendVerification(dependencies: AccountDependencies, email: string, token: string): void {
  dependencies.sendMail(
    'verify-email',
    verificationMessage(dependencies.links, email, token, dependencies.verificationTtlSeconds),
  );
}

export function expiry(dependencies: Pick<AccountDependencies, 'now'>, ttlSeconds: number): Date {
  const now = dependencies.now?.() ?? new Date();
  return new Date(now.getTime() + ttlSeconds * 1000);
}
