import Router from '@koa/router';
import { findAccountByEmail } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context, Middleware, Next } from 'koa';
import type { ZodType } from 'zod';
import { LoginThrottledError } from '../credentials/login-throttled-error.js';
import { PasswordHashingBusyError } from '../credentials/password-hashing-busy-error.js';
import { passwordProblemMessages } from '../credentials/password-policy.js';
import type { AccountDependencies } from './account-dependencies.js';
import {
  CurrentPasswordRejectedError,
  InvalidAccountTokenError,
  PasswordRejectedError,
} from './account-errors.js';
import type { AccountRateLimits } from './account-rate-limits.js';
import type { AccountFeatures } from './account-route-methods.js';
import {
  changePasswordBody,
  confirmResetBody,
  emailBody,
  registerBody,
  verifyEmailBody,
} from './account-schemas.js';
import { changePassword } from './change-password.js';
import { registerAccount, resendVerification } from './register-account.js';
import { confirmPasswordReset, requestPasswordReset } from './reset-password.js';
import { verifyEmail } from './verify-email.js';

export interface AccountRoutesOptions {
  account: AccountDependencies;
  features: AccountFeatures;
  limits: AccountRateLimits;
  /** Verifies account-API tokens (account-guard.ts). */
  guard: KoaGuard;
  maxBodyBytes: number;
}

/** One answer for every accepted same-answer request, whatever was (or was not) found and sent. */
const ACCEPTED = {
  status: 'accepted',
  detail: 'if the request can be acted on, a message is on its way to the email address',
} as const;

/**
 * `/account/*` on the public listener (issue 8): self-registration, email verification, password change
 * and password reset. JSON bodies only (415 otherwise), size-capped, validated; RFC 9457 problems; every
 * answer `Cache-Control: no-store`. Switched-off features are not routed (404). Answers that must not tell
 * whether an account exists (register, resend, reset) are one fixed 202, and their emails leave after it.
 *
 * @example
 * provider.middleware.unshift(..., createAccountRoutes({ account, features, limits, guard, maxBodyBytes: 8192 }));
 */
export function createAccountRoutes(options: AccountRoutesOptions): Middleware {
  const { account, features, limits, guard, maxBodyBytes } = options;
  const router = new Router<GuardState>({ prefix: '/account' });
  router.use(noStore, accountErrorsAsProblems);
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));
  const requester = (ctx: Context) => ({ ip: ctx.ip });
  const accepted = (ctx: Context) => {
    ctx.status = 202;
    ctx.body = ACCEPTED;
  };

  router.post('/verify-email', async (ctx) => {
    await limits.perAddress(ctx.ip);
    const { token } = await body(ctx, verifyEmailBody);
    await verifyEmail(account, token, requester(ctx));
    ctx.status = 204;
  });

  if (features.selfRegistration) {
    router.post('/register', async (ctx) => {
      await limits.perAddress(ctx.ip);
      const input = await body(ctx, registerBody);
      await limits.perEmail(input.email);
      await registerAccount(account, input, requester(ctx));
      accepted(ctx);
    });

    router.post('/verification-email', async (ctx) => {
      await limits.perAddress(ctx.ip);
      const { email } = await body(ctx, emailBody);
      await limits.perEmail(email);
      await resendVerification(account, await findAccountByEmail(account.prisma, email), requester(ctx));
      accepted(ctx);
    });
  }

  if (features.passwordChange) {
    router.post('/password', guard.require({ scopes: ['account'] }), async (ctx) => {
      const { principal } = ctx.state;
      // Only a user's own session may change the user's password; the resource resolver already refuses
      // client_credentials for this audience, this keeps it so whatever issued the token.
      if (principal.kind !== 'user' || principal.grantId === undefined) {
        throw new ProblemError(403, 'Forbidden', { detail: 'only a user token can change a password' });
      }
      const change = await body(ctx, changePasswordBody);
      await changePassword(
        account,
        { userId: principal.subject, clientId: principal.clientId, grantId: principal.grantId },
        change,
        requester(ctx),
      );
      ctx.status = 204;
    });
  }

  if (features.passwordReset) {
    router.post('/password-reset', async (ctx) => {
      await limits.perAddress(ctx.ip);
      const { email } = await body(ctx, emailBody);
      await limits.perEmail(email);
      await requestPasswordReset(account, await findAccountByEmail(account.prisma, email), requester(ctx));
      accepted(ctx);
    });

    router.post('/password-reset/confirm', async (ctx) => {
      await limits.perAddress(ctx.ip);
      const input = await body(ctx, confirmResetBody);
      await confirmPasswordReset(account, input, requester(ctx));
      ctx.status = 204;
    });
  }

  return router.routes() as Middleware;
}

/** Account answers carry passwords' fate and single-use tokens' results: never cached (RFC 9111 §5.2.2.5). */
async function noStore(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  await next();
}

/** The account operations' errors as RFC 9457 problems; the public listener's problemResponses writes them. */
async function accountErrorsAsProblems(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    throw asProblem(ctx, error);
  }
}

function asProblem(ctx: Context, error: unknown): unknown {
  if (error instanceof PasswordRejectedError) {
    const path = ctx.path.endsWith('/register') ? 'password' : 'newPassword';
    return new ProblemError(400, 'Bad Request', {
      detail: 'the request is invalid',
      errors: error.problems.map((problem) => ({
        path,
        message:
          problem === 'same_as_current'
            ? 'must differ from the current password'
            : passwordProblemMessages[problem],
      })),
    });
  }
  if (error instanceof InvalidAccountTokenError) {
    return new ProblemError(400, 'Bad Request', { detail: 'invalid or expired token' });
  }
  if (error instanceof CurrentPasswordRejectedError) {
    return new ProblemError(403, 'Forbidden', { detail: 'the current password was not accepted' });
  }
  if (error instanceof LoginThrottledError) {
    return new ProblemError(
      429,
      'Too Many Requests',
      { detail: 'too many password attempts; retry later' },
      { ...error.headers },
    );
  }
  if (error instanceof PasswordHashingBusyError) {
    return new ProblemError(
      503,
      'Service Unavailable',
      { detail: 'password hashing is busy; retry later' },
      { 'Retry-After': String(error.retryAfterSeconds) },
    );
  }
  return error;
}
