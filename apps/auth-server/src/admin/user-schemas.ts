import { z } from 'zod';
import {
  type PasswordContext,
  passwordProblemMessages,
  passwordProblems,
} from '../credentials/password-policy.js';

/**
 * Request shapes of the users resource. The password policy is password-policy.ts (NIST SP 800-63B
 * §5.1.1.2): at least 8 characters, at most 1 KiB before hashing, not a common or breached password, not
 * the username or email, no composition rules. An issue names the rule and never echoes the password.
 */
export const password = z.string().superRefine((value, ctx) => {
  for (const problem of passwordProblems(value)) {
    ctx.addIssue({ code: 'custom', message: passwordProblemMessages[problem] });
  }
});

/** The context-specific part of the policy: createUserBody, and the set-password route against the stored user. */
export function contextPasswordIssues(value: string, context: PasswordContext): string[] {
  return passwordProblems(value, context)
    .filter((problem) => problem === 'same_as_username' || problem === 'same_as_email')
    .map((problem) => passwordProblemMessages[problem]);
}

const name = z.string().regex(/^\S{1,100}$/, 'must be 1-100 characters without spaces');

export const createUserBody = z
  .strictObject({
    username: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits or . _ @ -'),
    email: z.email().max(254).optional(),
    password,
    roles: z.array(name).max(50).optional(),
    permissions: z.array(name).max(200).optional(),
  })
  .superRefine((body, ctx) => {
    for (const message of contextPasswordIssues(body.password, body)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message });
    }
  });

export const updateUserBody = z
  .strictObject({ email: z.email().max(254).nullable().optional(), disabled: z.boolean().optional() })
  .refine((body) => body.email !== undefined || body.disabled !== undefined, 'give email, disabled or both');

export const setPasswordBody = z.strictObject({ password });
export const rolesBody = z.strictObject({ roles: z.array(name).min(1).max(50) });
export const permissionsBody = z.strictObject({ permissions: z.array(name).min(1).max(200) });

export const listUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional(),
  q: z.string().min(1).max(100).optional(),
  disabled: z.stringbool().optional(),
});

/** A user as the `/users` routes answer it (user-routes.ts `present()`); never the password hash. */
export const userView = z.strictObject({
  id: z.uuid(),
  username: z.string().describe('Lower-cased login name'),
  email: z.string().nullable(),
  disabled: z.boolean(),
  roles: z.array(z.string()).describe('Role names, sorted'),
  permissions: z
    .array(z.string())
    .describe('Directly granted permissions, sorted; role-derived ones are not listed'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const userListView = z.strictObject({
  users: z.array(userView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});
export type UserView = z.infer<typeof userView>;
