import { findLoginCandidate, type PrismaClient, replacePasswordHash } from '@portcullis/db';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { Authenticate } from '../oidc/password-grant.js';
import type { PasswordHasher } from './password-hasher.js';

/** Longer inputs are refused before hashing: argon2 cost must not be set by the attacker (OWASP ASVS 2.1.2). */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * Checks a username and password. Unknown user, wrong password and disabled account look the same from
 * outside — same answer, and an argon2 verify in every case so the time is the same too.
 */
export function createUserAuthenticator(
  prisma: PrismaClient,
  hasher: PasswordHasher,
  audit: RecordAuditEvent,
): Authenticate {
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

    if (hasher.needsRehash(candidate.passwordHash)) {
      await replacePasswordHash(prisma, candidate.id, candidate.passwordHash, await hasher.hash(password));
    }
    return candidate.id;
  };
}
