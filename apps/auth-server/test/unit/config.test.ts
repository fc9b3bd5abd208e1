import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testEnvironment } from '../support/test-environment.js';

const valid = () => testEnvironment('postgres://postgres@127.0.0.1:5432/portcullis');

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const redisUrl = 'redis://127.0.0.1:6379';
const production = () => ({
  ...valid(),
  PORTCULLIS_MODE: 'production',
  ISSUER: 'https://auth.example.com',
  REDIS_URL: redisUrl,
});

describe('loadConfig', () => {
  it('parses a complete environment with the documented defaults', () => {
    const config = loadConfig({ ...valid(), ACCESS_TOKEN_TTL_SECONDS: undefined, PORT: undefined });
    expect(config).toMatchObject({
      mode: 'development',
      port: 4000,
      signingAlg: 'ES256',
      ttl: {
        accessToken: 300,
        clientCredentials: 600,
        refreshTokenIdle: 1_209_600,
        refreshTokenAbsolute: 2_592_000,
      },
    });
    expect(config.keyEncryptionKey).toHaveLength(32);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORTCULLIS_MODE: 'production', SIGNING_ALG: 'HS256', PORT: 'eighty' });
    for (const name of [
      'ISSUER',
      'DATABASE_URL',
      'KEY_ENCRYPTION_KEY',
      'CLIENT_SECRET_PEPPER',
      'DEFAULT_RESOURCE',
      'SCOPES',
      'SIGNING_ALG',
      'PORT',
    ]) {
      expect(problems.some((problem) => problem.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('has no default for secrets and checks their length', () => {
    expect(problemsOf({ ...valid(), KEY_ENCRYPTION_KEY: 'c2hvcnQ' })).toEqual([
      'KEY_ENCRYPTION_KEY: must be 32 bytes, base64url-encoded',
    ]);
  });

  it('refuses an http issuer in production', () => {
    expect(problemsOf({ ...valid(), PORTCULLIS_MODE: 'production', REDIS_URL: redisUrl })).toEqual([
      'ISSUER: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    ]);
  });

  it('defaults to production mode, so forgetting the mode never relaxes a check', () => {
    expect(problemsOf({ ...valid(), PORTCULLIS_MODE: undefined, REDIS_URL: redisUrl })).toHaveLength(1);
  });

  it('refuses a symmetric or unknown signing algorithm', () => {
    expect(problemsOf({ ...valid(), SIGNING_ALG: 'HS256' })[0]).toMatch(/^SIGNING_ALG:/);
    expect(problemsOf({ ...valid(), SIGNING_ALG: 'none' })[0]).toMatch(/^SIGNING_ALG:/);
  });

  it('refuses a default resource outside the resource list and a reused secret', () => {
    const env = valid();
    expect(
      problemsOf({
        ...env,
        RESOURCES: 'https://other.example',
        CLIENT_SECRET_PEPPER: env.KEY_ENCRYPTION_KEY,
      }),
    ).toEqual([
      'RESOURCES: must include DEFAULT_RESOURCE',
      'CLIENT_SECRET_PEPPER: must differ from KEY_ENCRYPTION_KEY',
    ]);
  });

  describe('Redis and the revocation fast path', () => {
    it('requires REDIS_URL in production, naming it', () => {
      expect(problemsOf({ ...production(), REDIS_URL: undefined })).toEqual([
        expect.stringMatching(/^REDIS_URL: required in production/),
      ]);
      expect(problemsOf({ ...production(), REDIS_URL: '' })).toEqual([
        expect.stringMatching(/^REDIS_URL: required in production/),
      ]);
    });

    it('reports a missing REDIS_URL together with schema problems', () => {
      const problems = problemsOf({ ...production(), REDIS_URL: undefined, DATABASE_URL: undefined });
      expect(problems.map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'REDIS_URL']);
    });

    it('reads the Redis settings with their defaults', () => {
      expect(loadConfig(production())).toMatchObject({
        redis: { url: redisUrl, keyPrefix: 'portcullis:' },
        revocation: { resyncIntervalSeconds: 60 },
      });
      expect(
        loadConfig({
          ...production(),
          REDIS_URL: 'rediss://:secret@redis.example.com:6380/2',
          REDIS_KEY_PREFIX: 'tenant-a:',
          REVOCATION_RESYNC_INTERVAL_SECONDS: '15',
        }),
      ).toMatchObject({
        redis: { url: 'rediss://:secret@redis.example.com:6380/2', keyPrefix: 'tenant-a:' },
        revocation: { resyncIntervalSeconds: 15 },
      });
    });

    it('runs without Redis in development (revocations in PostgreSQL only)', () => {
      expect(loadConfig(valid()).redis).toBeUndefined();
      expect(loadConfig({ ...valid(), REDIS_URL: '' }).redis).toBeUndefined();
    });

    it.each([
      ['REDIS_URL', 'http://127.0.0.1:6379'],
      ['REDIS_URL', '127.0.0.1:6379'],
      ['REDIS_KEY_PREFIX', ''],
      ['REVOCATION_RESYNC_INTERVAL_SECONDS', '0'],
      ['REVOCATION_RESYNC_INTERVAL_SECONDS', 'hourly'],
    ])('refuses %s=%p', (name, value) => {
      const problems = problemsOf({ ...production(), [name]: value });
      expect(problems.some((problem) => problem.startsWith(`${name}:`))).toBe(true);
    });

    it('never echoes a Redis URL (it may hold a password) in a problem', () => {
      const problems = problemsOf({ ...production(), REDIS_URL: 'http://:hunter2@redis.example.com' });
      expect(problems.join('\n')).not.toContain('hunter2');
    });
  });

  describe('rate limits and the password lockout', () => {
    it('defaults to limits a real client never meets and an attacker soon does', () => {
      const withoutLimits: Record<string, string | undefined> = { ...production() };
      for (const name of Object.keys(withoutLimits)) {
        if (name.startsWith('RATE_LIMIT_')) delete withoutLimits[name];
      }
      expect(loadConfig(withoutLimits)).toMatchObject({
        rateLimits: { tokenPerIp: 300, tokenPerClient: 600, passwordPerIp: 30 },
        loginLockout: { threshold: 5, maxSeconds: 900 },
      });
    });

    it('reads them from the environment', () => {
      expect(
        loadConfig({
          ...production(),
          RATE_LIMIT_TOKEN_PER_IP: '50',
          RATE_LIMIT_TOKEN_PER_CLIENT: '40',
          RATE_LIMIT_PASSWORD_PER_IP: '10',
          LOGIN_LOCKOUT_THRESHOLD: '3',
          LOGIN_LOCKOUT_MAX_SECONDS: '60',
        }),
      ).toMatchObject({
        rateLimits: { tokenPerIp: 50, tokenPerClient: 40, passwordPerIp: 10 },
        loginLockout: { threshold: 3, maxSeconds: 60 },
      });
    });

    it.each([
      'RATE_LIMIT_TOKEN_PER_IP',
      'RATE_LIMIT_TOKEN_PER_CLIENT',
      'RATE_LIMIT_PASSWORD_PER_IP',
      'LOGIN_LOCKOUT_THRESHOLD',
      'LOGIN_LOCKOUT_MAX_SECONDS',
    ])('refuses %s = 0 (a limit cannot be switched off)', (name) => {
      expect(problemsOf({ ...production(), [name]: '0' }).map((p) => p.split(':')[0])).toEqual([name]);
    });
  });
});
