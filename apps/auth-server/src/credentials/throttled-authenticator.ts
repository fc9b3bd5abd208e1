import { clientAddressKey, type RateLimiter, rateLimitHeaders } from '@portcullis/rate-limit';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import type { Authenticate } from '../oidc/password-grant.js';
import type { LoginLockout } from './login-lockout.js';
import { LoginThrottledError, type LoginThrottleReason } from './login-throttled-error.js';
import { PasswordHashingBusyError } from './password-hashing-busy-error.js';

export interface ThrottledAuthenticatorDependencies {
  /** The password check itself (createUserAuthenticator): argon2, uniform failures, `login.failed` audit. */
  authenticate: Authenticate;
  lockout: LoginLockout;
  /**
   * Password attempts per client address, all usernames together (e.g. 30 per minute), shared through
   * Redis; per instance while Redis is down, so the password grant is never unlimited.
   */
  perIpLimiter: RateLimiter;
  audit: RecordAuditEvent;
}

/**
 * `authenticate` behind the password grant's brute-force protection. Both checks run before the password
 * is hashed, so a refused attempt costs no argon2 work: first the per-address rate (Redis), then the
 * username+address lockout (PostgreSQL). A refusal throws LoginThrottledError (429 at the token endpoint)
 * and is audited as `login.throttled` — with the username, never the password. Unknown usernames are
 * counted like known ones, so a lockout tells nothing about which accounts exist. An attempt the hasher
 * refused as saturated (PasswordHashingBusyError, answered 503) was not checked, so it is not counted.
 *
 * @example
 * const authenticate = createThrottledAuthenticator({
 *   authenticate: createUserAuthenticator(prisma, hasher, audit.record),
 *   lockout: createLoginLockout(prisma, { secret: config.clientSecretPepper }),
 *   perIpLimiter: createRateLimiter({ redis, keyPrefix, name: 'password-ip', points: 30, durationSeconds: 60 }),
 *   audit: audit.record,
 * });
 */
export function createThrottledAuthenticator(dependencies: ThrottledAuthenticatorDependencies): Authenticate {
  const { authenticate, lockout, perIpLimiter, audit } = dependencies;
  return async (request) => {
    const { username, clientId, ip } = request;
    const refuse = (
      reason: LoginThrottleReason,
      retryAfterSeconds: number,
      headers?: Record<string, string>,
    ) => {
      audit({
        type: 'login.throttled',
        subject: username.slice(0, 200),
        clientId,
        ip,
        details: { reason, retryAfterSeconds },
      });
      return new LoginThrottledError(reason, retryAfterSeconds, headers);
    };

    const rate = await perIpLimiter.consume(clientAddressKey(ip));
    if (!rate.allowed) {
      const { 'Retry-After': _retryAfter, ...headers } = rateLimitHeaders([rate]);
      throw refuse('ip_rate', rate.retryAfterSeconds, { ...headers });
    }
    const lock = await lockout.begin(username, ip);
    if (!lock.allowed) throw refuse('lockout', lock.retryAfterSeconds);

    let accountId: string | undefined;
    try {
      accountId = await authenticate(request);
    } catch (error) {
      // Refused before the password was checked: uncount the attempt `begin` counted as failed.
      if (error instanceof PasswordHashingBusyError) await lockout.unchecked(username, ip);
      throw error;
    }
    if (accountId) await lockout.succeeded(username, ip);
    return accountId;
  };
}
