import { type PasswordContext, passwordProblems } from '../credentials/password-policy.js';
import { PasswordRejectedError } from './account-errors.js';

/** Throws PasswordRejectedError when the policy (credentials/password-policy.ts) refuses a new password. */
export function assertNewPasswordAcceptable(password: string, context: PasswordContext): void {
  const problems = passwordProblems(password, context);
  if (problems.length > 0) throw new PasswordRejectedError(problems);
}
