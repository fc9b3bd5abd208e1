import { z } from 'zod';
import { MAX_PASSWORD_BYTES } from '../credentials/password-policy.js';
import { ACCOUNT_TOKEN_PATTERN } from './account-token-codec.js';

/**
 * Request shapes of the account routes. Passwords are only bounded here (the policy runs in the operations,
 * with the account as context, and names the rule, never the password); a malformed token is the same
 * `invalid or expired token` as an unknown one, so the schema takes any short string.
 */

/** Lower-cased: one address, one account, whatever case it is typed in. */
const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((value) => value.toLowerCase());
const password = z
  .string()
  .min(1)
  .max(MAX_PASSWORD_BYTES * 4);
const token = z.string().min(1).max(200);

export const registerBody = z.strictObject({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits or . _ @ -'),
  email,
  password,
});
export type RegisterBody = z.infer<typeof registerBody>;

export const emailBody = z.strictObject({ email });
export const verifyEmailBody = z.strictObject({ token });
export const changePasswordBody = z.strictObject({ currentPassword: password, newPassword: password });
export const confirmResetBody = z.strictObject({ token, newPassword: password });

/** A token that cannot be one of ours, refused without a database round trip. */
export function isWellFormedToken(value: string): boolean {
  return ACCOUNT_TOKEN_PATTERN.test(value);
}
