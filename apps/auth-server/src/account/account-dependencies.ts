import type { PrismaClient } from '@portcullis/db';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { LoginLockout } from '../credentials/login-lockout.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import type { Authenticate } from '../oidc/password-grant.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import type { AccountLinks } from './account-messages.js';
import type { AccountTokenCodec } from './account-token-codec.js';
import type { SendInBackground } from './background-mailer.js';

/** What the account operations need; built once by the container (account-routes.ts takes it). */
export interface AccountDependencies {
  prisma: PrismaClient;
  /** The shared, concurrency-limited argon2 hasher. */
  hasher: PasswordHasher;
  /** The password grant's throttled authenticator: a password change checks the current password through it. */
  authenticate: Authenticate;
  /** The login lockout; a successful reset clears the account's lock from the resetting address. */
  lockout: Pick<LoginLockout, 'succeeded'>;
  audit: RecordAuditEvent;
  sendMail: SendInBackground;
  tokens: AccountTokenCodec;
  links: AccountLinks;
  /** The revocations write path (record, artifacts, broadcast). */
  revocation: RevokeTokensDependencies;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
  now?: () => Date;
}

/** Who is asking, for the audit log. */
export interface AccountRequester {
  ip: string;
}
