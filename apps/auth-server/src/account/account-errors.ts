import type { PasswordProblem } from '../credentials/password-policy.js';

/** A new password the policy refuses: the rules it breaks, never the password. */
export class PasswordRejectedError extends Error {
  readonly problems: readonly (PasswordProblem | 'same_as_current')[];
  constructor(problems: readonly (PasswordProblem | 'same_as_current')[]) {
    super('the new password does not meet the password policy');
    this.name = 'PasswordRejectedError';
    this.problems = problems;
  }
}

/** An emailed token that is unknown, spent, expired or malformed: one error for all, so none is told apart. */
export class InvalidAccountTokenError extends Error {
  constructor() {
    super('invalid or expired token');
    this.name = 'InvalidAccountTokenError';
  }
}

/** The current password given to a password change was not accepted (wrong, or the account is gone). */
export class CurrentPasswordRejectedError extends Error {
  constructor() {
    super('the current password was not accepted');
    this.name = 'CurrentPasswordRejectedError';
  }
}
