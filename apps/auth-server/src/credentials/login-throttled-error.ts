/** Why a password attempt was refused before its password was checked. */
export type LoginThrottleReason = 'lockout' | 'ip_rate';

/**
 * Thrown by a throttled `Authenticate` instead of checking the password: too many failures for this
 * username from this address (`lockout`), or too many password attempts from this address (`ip_rate`).
 * The password grant answers it with 429 and these headers (Retry-After, and RateLimit fields for
 * `ip_rate`), so a client can tell "wait" from "wrong password".
 */
export class LoginThrottledError extends Error {
  readonly reason: LoginThrottleReason;
  readonly retryAfterSeconds: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(reason: LoginThrottleReason, retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super('too many login attempts');
    this.name = 'LoginThrottledError';
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { ...headers, 'Retry-After': String(retryAfterSeconds) };
  }
}
