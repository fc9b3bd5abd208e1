import { createHmac, hkdfSync } from 'node:crypto';
import {
  clientAddressKey,
  createRateLimiter,
  type RateLimiter,
  type RateLimitRedis,
  type RateLimitStoreChange,
  rateLimitHeaders,
} from '@portcullis/rate-limit';
import { ProblemError } from '@portcullis/service-kit';

/** The HKDF label of the key that hides addresses in counter keys. */
const EMAIL_KEY_INFO = 'portcullis account rate-limit email v1';

export interface AccountRateLimitOptions {
  redis?: RateLimitRedis | undefined;
  keyPrefix: string;
  perIpPerMinute: number;
  perEmailPerHour: number;
  /** A server secret (CLIENT_SECRET_PEPPER): counter keys carry an HMAC of the address, not the address. */
  secret: Uint8Array;
  onStoreChange?: (change: RateLimitStoreChange) => void;
  /** Called with the policy name of every refusal (metrics). */
  onRejected?: (limit: string) => void;
}

export interface AccountRateLimits {
  /** Counts one account request from this client address; throws a 429 problem past the limit. */
  perAddress(ip: string): Promise<void>;
  /**
   * Counts one email asked for this address, whoever asks and whether or not it has an account (so the
   * answer tells nothing about the account); throws a 429 problem past the limit. Keeps one address from
   * being flooded with mail from many client addresses.
   */
  perEmail(email: string): Promise<void>;
}

/**
 * The account routes' limits, shared through Redis like every other counter (DESIGN.md "Rate limiting"),
 * per instance while Redis is down. A refusal is a 429 problem+json with Retry-After and the RateLimit
 * fields. Successful answers carry no RateLimit fields: the same-answer endpoints must look the same for two
 * requests in a row, and a falling `r` would be the one difference.
 */
export function createAccountRateLimits(options: AccountRateLimitOptions): AccountRateLimits {
  const { secret } = options;
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('createAccountRateLimits: secret must be at least 32 bytes');
  }
  const emailKey = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), EMAIL_KEY_INFO, 32));
  const common = { redis: options.redis, keyPrefix: options.keyPrefix, onStoreChange: options.onStoreChange };
  const perIp = createRateLimiter({
    ...common,
    name: 'account-ip',
    points: options.perIpPerMinute,
    durationSeconds: 60,
  });
  const perEmail = createRateLimiter({
    ...common,
    name: 'account-email',
    points: options.perEmailPerHour,
    durationSeconds: 3600,
  });
  const enforce = async (limiter: RateLimiter, key: string) => {
    const result = await limiter.consume(key);
    if (result.allowed) return;
    options.onRejected?.(result.policy.name);
    throw new ProblemError(
      429,
      'Too Many Requests',
      { detail: `too many requests; retry after ${result.retryAfterSeconds} s` },
      { ...rateLimitHeaders([result]) },
    );
  };
  return {
    perAddress: (ip) => enforce(perIp, clientAddressKey(ip)),
    perEmail: (email) =>
      enforce(perEmail, createHmac('sha256', emailKey).update(email.toLowerCase(), 'utf8').digest('hex')),
  };
}
