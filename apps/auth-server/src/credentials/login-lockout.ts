import { hkdfSync } from 'node:crypto';
import {
  clearLoginThrottle,
  deleteStaleLoginThrottles,
  type LoginLockoutPolicy,
  loginThrottleId,
  normalizeUsername,
  type PrismaClient,
  releaseLoginAttempt,
  reserveLoginAttempt,
} from '@portcullis/db';
import { clientAddressKey } from '@portcullis/rate-limit';

export interface LoginLockoutOptions {
  /**
   * A server secret of at least 32 bytes that row ids are keyed with (the container passes
   * CLIENT_SECRET_PEPPER). The lockout derives a key of its own from it (HKDF-SHA-256 with its own label),
   * so the secret's other use never shares a key with this one.
   */
  secret: Uint8Array;
  /** Consecutive failures (per username and address) that lock the pair. Default 5. */
  threshold?: number;
  /** The longest lock, in seconds. Default 900 (15 min). */
  maxLockSeconds?: number;
  /** The first lock, in seconds; each later failure doubles it. Default 1. */
  baseLockSeconds?: number;
  /** Failures older than this are forgotten; must exceed maxLockSeconds. Default 1 h or 2 × maxLockSeconds. */
  failureWindowSeconds?: number;
  /** Clock (epoch ms); tests move time with it. */
  now?: () => number;
}

/** The HKDF label of the row-id key: a new label (or version) makes every existing row unreachable. */
const THROTTLE_ID_KEY_INFO = 'portcullis login_throttles row id v1';

export type LockoutCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LoginLockout {
  /** Counts the attempt (as failed until `succeeded`), or says how long the pair is still locked. */
  begin(username: string, ip: string): Promise<LockoutCheck>;
  /** The password was right: the pair starts over. */
  succeeded(username: string, ip: string): Promise<void>;
  /**
   * The attempt counted by `begin` was never checked (password hashing saturated): it is not a failure.
   * Otherwise a flood from anywhere would lock real users out through their own retries.
   */
  unchecked(username: string, ip: string): Promise<void>;
  /** Deletes rows nobody needs any more (for the container's hourly cleanup); resolves to how many. */
  deleteStale(): Promise<number>;
}

/**
 * Per username and client address, after `threshold` consecutive failures the pair is locked: 1 s, then
 * doubling with every further failure, capped at `maxLockSeconds`, so no lock is forever. Kept per address,
 * so an attacker elsewhere cannot lock the real user out, and in PostgreSQL (login_throttles), so a Redis
 * restart does not reset it and every instance sees it (DESIGN.md "Rate limiting and brute force"). Rows
 * are keyed by an HMAC of username and address, never the clear values.
 *
 * @example
 * const lockout = createLoginLockout(prisma, {
 *   secret: config.clientSecretPepper,
 *   threshold: config.loginLockout.threshold,
 *   maxLockSeconds: config.loginLockout.maxSeconds,
 * });
 */
export function createLoginLockout(prisma: PrismaClient, options: LoginLockoutOptions): LoginLockout {
  const maxLockSeconds = options.maxLockSeconds ?? 900;
  const policy: LoginLockoutPolicy = {
    threshold: options.threshold ?? 5,
    maxLockSeconds,
    baseLockSeconds: options.baseLockSeconds ?? 1,
    failureWindowSeconds: options.failureWindowSeconds ?? Math.max(3600, 2 * maxLockSeconds),
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`createLoginLockout: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (policy.baseLockSeconds > policy.maxLockSeconds) {
    throw new TypeError('createLoginLockout: baseLockSeconds must not exceed maxLockSeconds');
  }
  // Otherwise sitting out the longest lock would also forget the failures, and the backoff would restart.
  if (policy.failureWindowSeconds <= policy.maxLockSeconds) {
    throw new TypeError('createLoginLockout: failureWindowSeconds must exceed maxLockSeconds');
  }
  const { secret } = options;
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('createLoginLockout: secret must be at least 32 bytes');
  }
  const idKey = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), THROTTLE_ID_KEY_INFO, 32));
  const now = options.now ?? Date.now;
  const rowId = (username: string, ip: string) =>
    loginThrottleId(idKey, `user-ip:${normalizeUsername(username)}|${clientAddressKey(ip)}`);

  return {
    async begin(username, ip) {
      const at = new Date(now());
      const attempt = await reserveLoginAttempt(prisma, rowId(username, ip), policy, at);
      if (attempt.allowed) return { allowed: true };
      const retryAfterSeconds = Math.max(1, Math.ceil((attempt.lockedUntil.getTime() - at.getTime()) / 1000));
      return { allowed: false, retryAfterSeconds };
    },
    succeeded: (username, ip) => clearLoginThrottle(prisma, rowId(username, ip)),
    unchecked: (username, ip) => releaseLoginAttempt(prisma, rowId(username, ip), policy.threshold),
    deleteStale() {
      const at = now();
      return deleteStaleLoginThrottles(
        prisma,
        new Date(at - policy.failureWindowSeconds * 1000),
        new Date(at),
      );
    },
  };
}
