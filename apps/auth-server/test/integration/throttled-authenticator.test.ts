import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type AuditEventInput, upsertUser } from '@portcullis/db';
import { createRateLimiter, type RateLimiter } from '@portcullis/rate-limit';
import { createRedisClient } from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import {
  connectedClient,
  deleteKeys,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { freePort } from '../../../../test/support/service-process.js';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import { createUserAuthenticator } from '../../src/credentials/authenticate-user.js';
import { createLoginLockout, type LoginLockout } from '../../src/credentials/login-lockout.js';
import { LoginThrottledError } from '../../src/credentials/login-throttled-error.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/credentials/password-hasher.js';
import { createThrottledAuthenticator } from '../../src/credentials/throttled-authenticator.js';
import type { Authenticate } from '../../src/oidc/password-grant.js';

const THRESHOLD = 3;
const ATTACKER_IP = '203.0.113.50';
const USER_IP = '198.51.100.20';

/**
 * The password grant's brute-force protection against real PostgreSQL (lockout) and Redis (per-address
 * rate). Time is injected: the lockout's clock is moved, never waited for. argon2 verifications are counted
 * to prove a refused attempt costs no hash.
 */
describe('createThrottledAuthenticator', () => {
  const { keyPrefix } = uniqueLayout();
  let database: TestPrismaDatabase;
  let redis: Redis;
  let hasher: PasswordHasher;
  let clock = Date.UTC(2030, 0, 1);
  const verifications: string[] = [];
  const events: AuditEventInput[] = [];
  let lockout: LoginLockout;

  const countingHasher = (): PasswordHasher => ({
    ...hasher,
    verify: (hash, candidate) => {
      verifications.push('verify');
      return hasher.verify(hash, candidate);
    },
    verifyAgainstDecoy: (candidate) => {
      verifications.push('decoy');
      return hasher.verifyAgainstDecoy(candidate);
    },
  });
  const perIp = (points: number, client: Redis = redis): RateLimiter =>
    createRateLimiter({
      redis: client,
      keyPrefix,
      name: `password-ip-${points}`,
      points,
      durationSeconds: 60,
    });
  const throttled = (
    limiter: RateLimiter = perIp(1000),
    audit = (event: AuditEventInput) => events.push(event),
  ) =>
    createThrottledAuthenticator({
      authenticate: createUserAuthenticator(database.prisma, countingHasher(), () => {}),
      lockout,
      perIpLimiter: limiter,
      audit: (event) => void audit(event),
    });
  const attempt = (authenticate: Authenticate, username: string, password: string, ip = ATTACKER_IP) =>
    authenticate({ username, password, clientId: 'web', ip });
  /** The attempt's outcome: the user id, 'failed', or the throttle error. */
  const outcome = (pending: Promise<string | undefined>) =>
    pending.then(
      (id) => id ?? 'failed',
      (error: unknown) => error,
    );

  beforeAll(async () => {
    database = await openTestPrismaDatabase({ poolMax: 4 });
    redis = await connectedClient();
    hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      await upsertUser(database.prisma, {
        username: name,
        passwordHash: await hasher.hash(`${name} password`),
      });
    }
    lockout = createLoginLockout(database.prisma, {
      secret: randomBytes(32),
      threshold: THRESHOLD,
      maxLockSeconds: 60,
      failureWindowSeconds: 3600,
      now: () => clock,
    });
  });
  afterAll(async () => {
    if (redis) {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
    await database?.close();
  });
  beforeEach(() => {
    verifications.length = 0;
    events.length = 0;
  });

  it('locks a username for an address after THRESHOLD failures, without hashing while locked', async () => {
    const authenticate = throttled();
    for (let i = 0; i < THRESHOLD; i += 1)
      expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toBe('failed');
    expect(verifications).toHaveLength(THRESHOLD);

    verifications.length = 0;
    const refused = await outcome(attempt(authenticate, 'alice', 'alice password'));
    expect(refused).toBeInstanceOf(LoginThrottledError);
    expect(refused).toMatchObject({
      reason: 'lockout',
      retryAfterSeconds: 1,
      headers: { 'Retry-After': '1' },
    });
    expect(verifications).toEqual([]);
    expect(events).toEqual([
      {
        type: 'login.throttled',
        subject: 'alice',
        clientId: 'web',
        ip: ATTACKER_IP,
        details: { reason: 'lockout', retryAfterSeconds: 1 },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('alice password');
  });

  it('does not lock the real user out from another address', async () => {
    const id = await attempt(throttled(), 'alice', 'alice password', USER_IP);
    expect(id).toEqual(expect.any(String));
  });

  it('backs off exponentially, and a right password after the lock starts the count over', async () => {
    const authenticate = throttled();
    clock += 1000; // the 1 s lock from the first test is over
    expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toBe('failed');
    expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toMatchObject({ retryAfterSeconds: 2 });
    clock += 2000;
    expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toBe('failed');
    expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toMatchObject({ retryAfterSeconds: 4 });
    clock += 4000;
    expect(await outcome(attempt(authenticate, 'alice', 'alice password'))).toEqual(expect.any(String));
    // Cleared: THRESHOLD more failures before the next lock.
    for (let i = 0; i < THRESHOLD; i += 1)
      expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toBe('failed');
    expect(await outcome(attempt(authenticate, 'alice', 'guess'))).toBeInstanceOf(LoginThrottledError);
  });

  it('holds on another instance, even one without Redis: the lock lives in PostgreSQL', async () => {
    const withoutRedis = createRateLimiter({
      keyPrefix,
      name: 'password-ip',
      points: 1000,
      durationSeconds: 60,
    });
    const otherInstance = throttled(withoutRedis);
    expect(await outcome(attempt(otherInstance, 'alice', 'alice password'))).toMatchObject({
      reason: 'lockout',
    });
  });

  it('locks unknown usernames the same way, so a lockout reveals nothing', async () => {
    const authenticate = throttled();
    for (let i = 0; i < THRESHOLD; i += 1) await attempt(authenticate, 'nobody-here', 'guess');
    expect(verifications).toEqual(Array(THRESHOLD).fill('decoy'));
    expect(await outcome(attempt(authenticate, 'nobody-here', 'guess'))).toMatchObject({ reason: 'lockout' });
  });

  it('refuses a locked pair under many parallel attempts: only THRESHOLD passwords are checked', async () => {
    const authenticate = throttled();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => outcome(attempt(authenticate, 'bob', 'guess', '203.0.113.77'))),
    );
    expect(results.filter((result) => result === 'failed')).toHaveLength(THRESHOLD);
    expect(verifications).toHaveLength(THRESHOLD);
  });

  it('limits password attempts per address across usernames, before any hash', async () => {
    const authenticate = throttled(perIp(2));
    const ip = '203.0.113.90';
    await attempt(authenticate, 'carol', 'guess', ip);
    await attempt(authenticate, 'dave', 'guess', ip);
    verifications.length = 0;
    const refused = await outcome(attempt(authenticate, 'carol', 'carol password', ip));
    expect(refused).toBeInstanceOf(LoginThrottledError);
    const error = refused as LoginThrottledError;
    expect(error.reason).toBe('ip_rate');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.headers).toEqual({
      'RateLimit-Policy': '"password-ip-2";q=2;w=60',
      RateLimit: `"password-ip-2";r=0;t=${error.retryAfterSeconds}`,
      'Retry-After': String(error.retryAfterSeconds),
    });
    expect(verifications).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'login.throttled', details: { reason: 'ip_rate' } });
  });

  it('never becomes unlimited when Redis is unreachable: the per-instance count applies', async () => {
    const deadRedis = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { commandTimeoutMs: 200 });
    deadRedis.on('error', () => undefined);
    try {
      const authenticate = throttled(perIp(2, deadRedis));
      const ip = '203.0.113.91';
      const started = performance.now();
      await attempt(authenticate, 'carol', 'guess', ip);
      await attempt(authenticate, 'dave', 'guess', ip);
      expect(await outcome(attempt(authenticate, 'carol', 'carol password', ip))).toMatchObject({
        reason: 'ip_rate',
      });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('deletes rows whose failures have been forgotten', async () => {
    const before = await database.prisma.loginThrottle.count();
    expect(before).toBeGreaterThan(0);
    clock += 2 * 3600 * 1000;
    expect(await lockout.deleteStale()).toBe(before);
    expect(await database.prisma.loginThrottle.count()).toBe(0);
  });

  it('validates its options', () => {
    const prisma = database.prisma;
    expect(() => createLoginLockout(prisma, { secret: randomBytes(32), threshold: 0 })).toThrow(TypeError);
    expect(() =>
      createLoginLockout(prisma, { secret: randomBytes(32), maxLockSeconds: 900, failureWindowSeconds: 900 }),
    ).toThrow(/failureWindowSeconds must exceed maxLockSeconds/);
    expect(() =>
      createLoginLockout(prisma, { secret: randomBytes(32), baseLockSeconds: 10, maxLockSeconds: 5 }),
    ).toThrow(TypeError);
    // Without an explicit window, a long cap gets a window longer than itself.
    expect(() => createLoginLockout(prisma, { secret: randomBytes(32), maxLockSeconds: 7200 })).not.toThrow();
  });
});
