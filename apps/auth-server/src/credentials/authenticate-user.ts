import { findLoginCandidate, type PrismaClient, replacePasswordHash } from '@portcullis/db';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { Authenticate } from '../oidc/password-grant.js';
import type { PasswordHasher } from './password-hasher.js';
import { PasswordHashingBusyError } from './password-hashing-busy-error.js';
import { MAX_PASSWORD_BYTES } from './password-policy.js';

/**
 * Checks a username and password. Unknown user, wrong password and disabled account look the same from
 * outside — same answer, and an argon2 verify in every case so the time is the same too. Of the password
 * policy only the length cap applies here (before any hashing): a password that has since become common
 * still logs in, the policy is for new passwords. With a concurrency-limited hasher
 * (limitHashConcurrency), a saturated hasher rejects with PasswordHashingBusyError, which passes through.
 */
export function createUserAuthenticator(
  prisma: PrismaClient,
  hasher: PasswordHasher,
  audit: RecordAuditEvent,
): Authenticate {
  /**
   * Upgrades the stored hash to the configured argon2 parameters (OWASP Password Storage: rehash on login).
   * Best effort when hashing is saturated: the password was right, so the login succeeds and the upgrade
   * waits for a later one.
   */
  const rehash = async (userId: string, storedHash: string, password: string) => {
    let upgraded: string;
    try {
      upgraded = await hasher.hash(password);
    } catch (error) {
      if (error instanceof PasswordHashingBusyError) return;
      throw error;
    }
    await replacePasswordHash(prisma, userId, storedHash, upgraded);
  };

  return async ({ username, password, clientId, ip }) => {
    const failed = (reason: string) => {
      audit({ type: 'login.failed', subject: username.slice(0, 200), clientId, ip, details: { reason } });
      return undefined;
    };
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return failed('password_too_long');

    const candidate = await findLoginCandidate(prisma, username);
    if (!candidate) {
      await hasher.verifyAgainstDecoy(password);
      return failed('unknown_user');
    }
    const matches = await hasher.verify(candidate.passwordHash, password);
    if (!matches) return failed('wrong_password');
    if (candidate.disabled) return failed('disabled');
    // Self-registered and the address not proven yet: refused like a wrong password (no enumeration), but
    // only after the password checked out, so the audit reason tells the operator what happened.
    if (candidate.mustVerifyEmail && candidate.emailVerifiedAt === null) return failed('unverified_email');

    if (hasher.needsRehash(candidate.passwordHash)) {
      await rehash(candidate.id, candidate.passwordHash, password);
    }
    return candidate.id;
  };
}
