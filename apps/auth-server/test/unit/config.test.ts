import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
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

  describe('the password hashing cap', () => {
    it('defaults to 2 at once (1 on a single CPU) and 64 waiting, on a low-priority thread pool of 4', () => {
      const config = loadConfig(production());
      expect(config.passwordHashing).toEqual({
        concurrency: Math.min(2, availableParallelism()),
        queueLimit: 64,
        lowPriority: true,
      });
      expect(config.threadPoolSize).toBe(4);
    });

    it('keeps the thread pool at normal priority with PASSWORD_HASH_LOW_PRIORITY=false', () => {
      const config = loadConfig({
        ...production(),
        PASSWORD_HASH_LOW_PRIORITY: 'false',
        UV_THREADPOOL_SIZE: '6',
      });
      expect(config.passwordHashing.lowPriority).toBe(false);
      expect(config.threadPoolSize).toBe(6);
    });

    it('reads them from the environment; a queue of 0 refuses whatever finds no free slot', () => {
      expect(
        loadConfig({ ...production(), PASSWORD_HASH_CONCURRENCY: '8', PASSWORD_HASH_QUEUE_LIMIT: '0' })
          .passwordHashing,
      ).toEqual({ concurrency: 8, queueLimit: 0, lowPriority: true });
    });

    it.each([
      ['PASSWORD_HASH_CONCURRENCY', '0'],
      ['PASSWORD_HASH_CONCURRENCY', '65'],
      ['PASSWORD_HASH_CONCURRENCY', '1.5'],
      ['PASSWORD_HASH_QUEUE_LIMIT', '-1'],
      ['PASSWORD_HASH_QUEUE_LIMIT', '10001'],
      ['PASSWORD_HASH_QUEUE_LIMIT', 'many'],
      ['PASSWORD_HASH_LOW_PRIORITY', 'maybe'],
      ['UV_THREADPOOL_SIZE', '0'],
      ['UV_THREADPOOL_SIZE', '1025'],
    ])('refuses %s = %s', (name, value) => {
      expect(problemsOf({ ...production(), [name]: value }).map((p) => p.split(':')[0])).toEqual([name]);
    });
  });
});

describe('loadConfig: TLS and production secrets', () => {
  const developmentSecret = () =>
    Buffer.concat([Buffer.from('portcullis-dev:'), randomBytes(17)]).toString('base64url');

  it('takes TLS files in pairs', () => {
    expect(loadConfig({ ...valid(), TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' }).tls).toEqual({
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
    expect(loadConfig({ ...valid(), TLS_CERT_FILE: '', TLS_KEY_FILE: '' }).tls).toBeUndefined();
    expect(problemsOf({ ...valid(), TLS_CERT_FILE: '/c.pem' })).toEqual([
      'TLS_CERT_FILE, TLS_KEY_FILE: set both (https) or neither (http behind your TLS proxy)',
    ]);
  });

  it('refuses, in production, secrets made by `npm start` and hand-typed ones, naming each', () => {
    expect(
      problemsOf({
        ...production(),
        KEY_ENCRYPTION_KEY: developmentSecret(),
        CLIENT_SECRET_PEPPER: Buffer.alloc(32, 'a').toString('base64url'),
      }),
    ).toEqual([
      expect.stringMatching(/^KEY_ENCRYPTION_KEY: is a development secret made by `npm start`/),
      expect.stringMatching(/^CLIENT_SECRET_PEPPER: does not look random/),
    ]);
  });

  it('accepts a development secret in development mode', () => {
    expect(loadConfig({ ...valid(), KEY_ENCRYPTION_KEY: developmentSecret() }).mode).toBe('development');
  });

  it('refuses to start without a key-encryption key, in one message naming it', () => {
    expect(problemsOf({ ...production(), KEY_ENCRYPTION_KEY: undefined })).toEqual([
      expect.stringMatching(/^KEY_ENCRYPTION_KEY:/),
    ]);
  });
});

describe('loadConfig: database timeouts', () => {
  it('bounds every wait for PostgreSQL, 5 s to connect and 10 s per query by default, in ms', () => {
    expect(loadConfig(valid()).databaseTimeouts).toEqual({
      connectionTimeoutMs: 5000,
      queryTimeoutMs: 10_000,
    });
    expect(
      loadConfig({ ...valid(), DATABASE_CONNECT_TIMEOUT_SECONDS: '2', DATABASE_QUERY_TIMEOUT_SECONDS: '30' })
        .databaseTimeouts,
    ).toEqual({ connectionTimeoutMs: 2000, queryTimeoutMs: 30_000 });
  });

  it('refuses a zero (no timeout at all), a non-integer or an over-an-hour timeout', () => {
    expect(
      problemsOf({
        ...valid(),
        DATABASE_CONNECT_TIMEOUT_SECONDS: '0',
        DATABASE_QUERY_TIMEOUT_SECONDS: '1.5',
      }),
    ).toEqual([
      expect.stringMatching(/^DATABASE_CONNECT_TIMEOUT_SECONDS:/),
      expect.stringMatching(/^DATABASE_QUERY_TIMEOUT_SECONDS:/),
    ]);
    expect(problemsOf({ ...valid(), DATABASE_QUERY_TIMEOUT_SECONDS: '3601' })).toEqual([
      expect.stringMatching(/^DATABASE_QUERY_TIMEOUT_SECONDS:/),
    ]);
  });
});

describe('loadConfig: metrics listener', () => {
  it('listens on loopback port 9464 by default', () => {
    expect(loadConfig(valid()).metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
  });

  it('reads host, port (0 = any free port) and the switch from the environment', () => {
    expect(
      loadConfig({ ...valid(), METRICS_HOST: '0.0.0.0', METRICS_PORT: '0', METRICS_ENABLED: 'false' })
        .metrics,
    ).toEqual({ enabled: false, host: '0.0.0.0', port: 0 });
  });

  it('refuses a port out of range and a switch that is not a boolean', () => {
    expect(problemsOf({ ...valid(), METRICS_PORT: '70000', METRICS_ENABLED: 'maybe' })).toEqual([
      expect.stringMatching(/^METRICS_ENABLED:/),
      expect.stringMatching(/^METRICS_PORT:/),
    ]);
  });
});

describe('loadConfig: CORS_ORIGINS', () => {
  it('is empty by default (CORS off) and takes origins separated by commas or spaces', () => {
    expect(loadConfig(valid()).corsOrigins).toEqual([]);
    expect(
      loadConfig({
        ...valid(),
        CORS_ORIGINS: 'https://app.example.com,https://admin.example.com:8443 http://localhost:5173',
      }).corsOrigins,
    ).toEqual(['https://app.example.com', 'https://admin.example.com:8443', 'http://localhost:5173']);
  });

  it('refuses "*" with a clear message, and anything that is not an http(s) origin', () => {
    const problems = problemsOf({ ...valid(), CORS_ORIGINS: '* https://app.example.com/ app.example.com' });
    expect(problems).toHaveLength(3);
    expect(problems.every((problem) => problem.startsWith('CORS_ORIGINS:'))).toBe(true);
    expect(problems[0]).toMatch(/"\*" is not allowed: list each browser origin explicitly/);
  });

  it('refuses, in production, plain http origins other than localhost and 127.0.0.1', () => {
    expect(
      problemsOf({ ...production(), CORS_ORIGINS: 'http://app.example.com https://ok.example.com' }),
    ).toEqual([
      'CORS_ORIGINS: "http://app.example.com" must be https in production (plain http only for localhost and 127.0.0.1)',
    ]);
    expect(loadConfig({ ...production(), CORS_ORIGINS: 'http://localhost:3000' }).corsOrigins).toEqual([
      'http://localhost:3000',
    ]);
    expect(loadConfig({ ...valid(), CORS_ORIGINS: 'http://app.example.com' }).corsOrigins).toEqual([
      'http://app.example.com',
    ]);
  });
});
