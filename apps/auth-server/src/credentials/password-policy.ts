import { isCommonPassword } from './common-passwords.js';

/** Fewer Unicode code points are refused (NIST SP 800-63B §5.1.1.2: at least 8 characters). */
export const MIN_PASSWORD_CODE_POINTS = 8;
/**
 * Longer inputs are refused before hashing, at login too: argon2 cost must not be set by the attacker
 * (OWASP ASVS 2.1.2 allows up to 128 characters; 1 KiB leaves room for passphrases in any script).
 */
export const MAX_PASSWORD_BYTES = 1024;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'same_as_username' | 'same_as_email';

/** Context-specific words a password must not be (NIST SP 800-63B §5.1.1.2). */
export interface PasswordContext {
  username?: string;
  email?: string | null;
}

/** What the admin API says for each problem: the rule, never the password. */
export const passwordProblemMessages: Readonly<Record<PasswordProblem, string>> = {
  too_short: `must be at least ${MIN_PASSWORD_CODE_POINTS} characters`,
  too_long: `must be at most ${MAX_PASSWORD_BYTES} bytes`,
  common: 'is too common: it appears in lists of breached passwords',
  same_as_username: 'must not be the username',
  same_as_email: 'must not be the email address',
};

/**
 * The policy for a new password, in one place (NIST SP 800-63B §5.1.1.2): at least 8 characters (code
 * points, so an emoji counts once, not as two UTF-16 units), at most 1 KiB of UTF-8, not a common or
 * breached password, not the username or email; no composition rules and no expiry. Empty when the
 * password is acceptable. Only for new passwords: login checks only the length cap, so existing users
 * whose password has since landed on the list can still sign in.
 *
 * @example
 * passwordProblems('password123'); // ['common']
 * passwordProblems('dana.smith@example.com', { username: 'dana', email: 'Dana.Smith@example.com' });
 * // ['same_as_email']
 */
export function passwordProblems(password: string, context: PasswordContext = {}): PasswordProblem[] {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return ['too_long'];
  if (codePointLength(password) < MIN_PASSWORD_CODE_POINTS) return ['too_short'];
  const problems: PasswordProblem[] = [];
  if (isCommonPassword(password)) problems.push('common');
  const folded = password.toLowerCase();
  if (context.username && folded === context.username.toLowerCase()) problems.push('same_as_username');
  if (context.email && folded === context.email.toLowerCase()) problems.push('same_as_email');
  return problems;
}

function codePointLength(value: string): number {
  let length = 0;
  for (const _codePoint of value) length += 1;
  return length;
}
