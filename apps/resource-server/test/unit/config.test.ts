import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';

const minimal = {
  DATABASE_URL: 'postgres://portcullis@127.0.0.1:5432/portcullis',
  ISSUER: 'https://auth.example.com',
  AUDIENCE: 'https://api.example.com',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The variable each problem is about (`TOKEN_ALGORITHMS.0: ...` is about TOKEN_ALGORITHMS). */
const names = (problems: string[]) => problems.map((problem) => /^[A-Z_]+/.exec(problem)?.[0]);

describe('loadConfig', () => {
  it('needs only DATABASE_URL, ISSUER, AUDIENCE and REDIS_URL, and fills in the strict defaults', () => {
    expect(loadConfig(minimal)).toEqual({
      mode: 'production',
      host: '0.0.0.0',
      port: 4001,
      trustProxy: false,
      trustProxyHops: 1,
      corsOrigins: [],
      metrics: { enabled: true, host: '127.0.0.1', port: 9465 },
      databaseUrl: minimal.DATABASE_URL,
      databaseTimeouts: { connectionTimeoutMs: 5000, queryTimeoutMs: 10_000 },
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      jwksUri: undefined,
      tokenAlgorithms: ['ES256'],
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 3600,
      maxTokenBytes: 8192,
      verifiedTokenCacheEntries: 10_000,
      jwks: { refreshIntervalSeconds: 300, maxStaleSeconds: 21_600, unknownKidCooldownSeconds: 30 },
      maxBodyBytes: 16_384,
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'portcullis:' },
      revocation: { maxStalenessSeconds: 30, reconcileIntervalSeconds: 5 },
      rateLimits: { perSubject: 600, routes: {} },
      apiKeys: undefined,
      logLevel: 'info',
    });
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      ...minimal,
      PORTCULLIS_MODE: 'development',
      HOST: '127.0.0.1',
      PORT: '8080',
      TRUST_PROXY: 'true',
      TRUST_PROXY_HOPS: '2',
      JWKS_URI: 'http://127.0.0.1:4000/jwks',
      TOKEN_ALGORITHMS: 'ES256, EdDSA  PS256',
      CLOCK_TOLERANCE_SECONDS: '0',
      MAX_TOKEN_AGE_SECONDS: '600',
      MAX_TOKEN_BYTES: '4096',
      VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '0',
      JWKS_REFRESH_INTERVAL_SECONDS: '60',
      JWKS_MAX_STALE_SECONDS: '60',
      JWKS_UNKNOWN_KID_COOLDOWN_SECONDS: '10',
      MAX_BODY_BYTES: '1024',
      REDIS_URL: 'rediss://:secret@redis.example.com:6380/1',
      REDIS_KEY_PREFIX: 'tenant-a:',
      REVOCATION_MAX_STALENESS_SECONDS: '10',
      REVOCATION_RECONCILE_INTERVAL_SECONDS: '2',
      RATE_LIMIT_PER_SUBJECT: '120',
      RATE_LIMIT_ROUTES: 'POST /items=60, /items/:id = 30',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      mode: 'development',
      host: '127.0.0.1',
      port: 8080,
      trustProxy: true,
      trustProxyHops: 2,
      jwksUri: 'http://127.0.0.1:4000/jwks',
      tokenAlgorithms: ['ES256', 'EdDSA', 'PS256'],
      clockToleranceSeconds: 0,
      maxTokenAgeSeconds: 600,
      maxTokenBytes: 4096,
      verifiedTokenCacheEntries: 0,
      jwks: { refreshIntervalSeconds: 60, maxStaleSeconds: 60, unknownKidCooldownSeconds: 10 },
      maxBodyBytes: 1024,
      redis: { url: 'rediss://:secret@redis.example.com:6380/1', keyPrefix: 'tenant-a:' },
      revocation: { maxStalenessSeconds: 10, reconcileIntervalSeconds: 2 },
      rateLimits: { perSubject: 120, routes: { 'POST /items': 60, '/items/:id': 30 } },
      apiKeys: undefined,
      logLevel: 'debug',
    });
  });

  it.each([
    ['a missing limit', 'POST /items'],
    ['no path', 'POST=60'],
    ['a zero limit', '/items=0'],
    ['a lower-case method', 'post /items=60'],
  ])('refuses RATE_LIMIT_ROUTES with %s', (_, value) => {
    const problems = problemsOf({ ...minimal, RATE_LIMIT_ROUTES: `/me=10, ${value}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^RATE_LIMIT_ROUTES: /);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ ...minimal, PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });

  it('reports every schema problem in one ConfigError', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      TOKEN_ALGORITHMS: 'HS256',
      LOG_LEVEL: 'loud',
      TRUST_PROXY: 'maybe',
      MAX_TOKEN_BYTES: '-1',
      VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '-5',
      PORTCULLIS_MODE: 'staging',
    });
    for (const name of [
      'DATABASE_URL',
      'ISSUER',
      'AUDIENCE',
      'PORT',
      'TOKEN_ALGORITHMS',
      'LOG_LEVEL',
      'TRUST_PROXY',
      'MAX_TOKEN_BYTES',
      'VERIFIED_TOKEN_CACHE_MAX_ENTRIES',
      'PORTCULLIS_MODE',
    ]) {
      expect(names(problems)).toContain(name);
    }
  });

  it('lists the problems one per line in its message', () => {
    let message = '';
    try {
      loadConfig({});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid configuration:\n {2}- /);
    expect(message).toContain('  - ISSUER: ');
  });

  it('reports a schema problem and a production problem together', () => {
    // STYLE.md §2: every problem in one error, so an operator does not fix them one deploy at a time.
    const problems = problemsOf({ ...minimal, DATABASE_URL: undefined, ISSUER: 'http://auth.example.com' });
    expect(names(problems)).toEqual(expect.arrayContaining(['DATABASE_URL', 'ISSUER']));
  });

  it('refuses an http ISSUER in production', () => {
    expect(problemsOf({ ...minimal, ISSUER: 'http://auth.example.com' })).toEqual([
      'ISSUER: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    ]);
  });

  it('refuses an http JWKS_URI in production', () => {
    expect(problemsOf({ ...minimal, JWKS_URI: 'http://auth.example.com/jwks' })).toEqual([
      'JWKS_URI: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    ]);
  });

  it('reports both http URLs at once', () => {
    expect(
      names(
        problemsOf({
          ...minimal,
          ISSUER: 'http://auth.example.com',
          JWKS_URI: 'http://auth.example.com/jwks',
        }),
      ),
    ).toEqual(['ISSUER', 'JWKS_URI']);
  });

  it('allows http URLs in development', () => {
    const config = loadConfig({
      ...minimal,
      PORTCULLIS_MODE: 'development',
      ISSUER: 'http://127.0.0.1:4000',
      JWKS_URI: 'http://127.0.0.1:4000/jwks',
    });
    expect(config).toMatchObject({ issuer: 'http://127.0.0.1:4000', jwksUri: 'http://127.0.0.1:4000/jwks' });
  });

  it.each(['HS256', 'none', 'ES256,HS512', 'es256', ''])('refuses TOKEN_ALGORITHMS=%p', (value) => {
    expect(names(problemsOf({ ...minimal, TOKEN_ALGORITHMS: value }))).toContain('TOKEN_ALGORITHMS');
  });

  it('refuses a JWKS_MAX_STALE_SECONDS shorter than the refresh interval', () => {
    expect(
      problemsOf({ ...minimal, JWKS_REFRESH_INTERVAL_SECONDS: '600', JWKS_MAX_STALE_SECONDS: '300' }),
    ).toEqual(['JWKS_MAX_STALE_SECONDS: must not be shorter than JWKS_REFRESH_INTERVAL_SECONDS']);
  });

  it('refuses a JWKS_MAX_STALE_SECONDS below the default refresh interval', () => {
    expect(names(problemsOf({ ...minimal, JWKS_MAX_STALE_SECONDS: '60' }))).toEqual([
      'JWKS_MAX_STALE_SECONDS',
    ]);
  });

  it.each([
    ['ISSUER', 'auth.example.com'],
    ['AUDIENCE', 'items'],
    ['JWKS_URI', '/jwks'],
    ['DATABASE_URL', 'not a url'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['CLOCK_TOLERANCE_SECONDS', '61'],
    ['CLOCK_TOLERANCE_SECONDS', '-1'],
    ['MAX_TOKEN_AGE_SECONDS', '0'],
    ['MAX_TOKEN_AGE_SECONDS', '1.5'],
    ['JWKS_REFRESH_INTERVAL_SECONDS', 'often'],
    ['MAX_BODY_BYTES', '0'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_KEY_PREFIX', ''],
    ['REVOCATION_MAX_STALENESS_SECONDS', '0'],
    ['REVOCATION_RECONCILE_INTERVAL_SECONDS', '-5'],
  ])('refuses %s=%p', (name, value) => {
    expect(names(problemsOf({ ...minimal, [name]: value }))).toContain(name);
  });

  it('requires REDIS_URL in production, naming it, together with other problems', () => {
    expect(problemsOf({ ...minimal, REDIS_URL: undefined })).toEqual([
      expect.stringMatching(/^REDIS_URL: required in production/),
    ]);
    expect(names(problemsOf({ ...minimal, REDIS_URL: '', AUDIENCE: undefined }))).toEqual([
      'AUDIENCE',
      'REDIS_URL',
    ]);
  });

  it('runs without Redis in development (revocations not enforced)', () => {
    const config = loadConfig({ ...minimal, REDIS_URL: undefined, PORTCULLIS_MODE: 'development' });
    expect(config.redis).toBeUndefined();
  });

  it('refuses a reconcile interval that is not shorter than the staleness window', () => {
    expect(
      problemsOf({
        ...minimal,
        REVOCATION_MAX_STALENESS_SECONDS: '5',
        REVOCATION_RECONCILE_INTERVAL_SECONDS: '5',
      }),
    ).toEqual([
      'REVOCATION_RECONCILE_INTERVAL_SECONDS: must be shorter than REVOCATION_MAX_STALENESS_SECONDS',
    ]);
    expect(names(problemsOf({ ...minimal, REVOCATION_MAX_STALENESS_SECONDS: '4' }))).toEqual([
      'REVOCATION_RECONCILE_INTERVAL_SECONDS',
    ]);
  });

  it('never echoes a Redis URL (it may hold a password) in a problem', () => {
    expect(
      problemsOf({ ...minimal, REDIS_URL: 'http://:hunter2@redis.example.com' }).join('\n'),
    ).not.toContain('hunter2');
  });
});

describe('loadConfig: database timeouts', () => {
  it('bounds every wait for PostgreSQL, 5 s to connect and 10 s per query by default, in ms', () => {
    expect(loadConfig(minimal).databaseTimeouts).toEqual({
      connectionTimeoutMs: 5000,
      queryTimeoutMs: 10_000,
    });
    expect(
      loadConfig({
        ...minimal,
        DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
        DATABASE_QUERY_TIMEOUT_SECONDS: '30',
      }).databaseTimeouts,
    ).toEqual({ connectionTimeoutMs: 2000, queryTimeoutMs: 30_000 });
  });

  it('refuses a zero (no timeout at all), a non-integer or an over-an-hour timeout', () => {
    expect(
      names(
        problemsOf({
          ...minimal,
          DATABASE_CONNECT_TIMEOUT_SECONDS: '0',
          DATABASE_QUERY_TIMEOUT_SECONDS: '1.5',
        }),
      ),
    ).toEqual(['DATABASE_CONNECT_TIMEOUT_SECONDS', 'DATABASE_QUERY_TIMEOUT_SECONDS']);
    expect(names(problemsOf({ ...minimal, DATABASE_QUERY_TIMEOUT_SECONDS: '3601' }))).toEqual([
      'DATABASE_QUERY_TIMEOUT_SECONDS',
    ]);
  });
});

describe('loadConfig: metrics listener', () => {
  it('reads host, port (0 = any free port) and the switch from the environment', () => {
    expect(
      loadConfig({ ...minimal, METRICS_HOST: '10.0.0.5', METRICS_PORT: '0', METRICS_ENABLED: 'false' })
        .metrics,
    ).toEqual({ enabled: false, host: '10.0.0.5', port: 0 });
  });

  it('refuses a port out of range and a switch that is not a boolean', () => {
    expect(names(problemsOf({ ...minimal, METRICS_PORT: '-1', METRICS_ENABLED: 'sometimes' }))).toEqual([
      'METRICS_ENABLED',
      'METRICS_PORT',
    ]);
  });
});

describe('loadConfig: CORS_ORIGINS', () => {
  it('is empty by default (CORS off) and takes origins separated by commas or spaces', () => {
    expect(loadConfig(minimal).corsOrigins).toEqual([]);
    expect(
      loadConfig({
        ...minimal,
        CORS_ORIGINS: 'https://app.example.com, https://admin.example.com:8443  http://localhost:5173',
      }).corsOrigins,
    ).toEqual(['https://app.example.com', 'https://admin.example.com:8443', 'http://localhost:5173']);
  });

  it('refuses "*" with a clear message, and anything that is not an http(s) origin', () => {
    const problems = problemsOf({
      ...minimal,
      CORS_ORIGINS: '*, https://app.example.com/, https://app.example.com/path, ftp://files.example.com',
    });
    expect(names(problems)).toEqual(['CORS_ORIGINS', 'CORS_ORIGINS', 'CORS_ORIGINS', 'CORS_ORIGINS']);
    expect(problems[0]).toMatch(/"\*" is not allowed: list each browser origin explicitly/);
  });

  it('refuses, in production, plain http origins other than localhost and 127.0.0.1', () => {
    expect(problemsOf({ ...minimal, CORS_ORIGINS: 'http://app.example.com' })).toEqual([
      'CORS_ORIGINS: "http://app.example.com" must be https in production (plain http only for localhost and 127.0.0.1)',
    ]);
    expect(
      loadConfig({ ...minimal, CORS_ORIGINS: 'http://localhost:3000 http://127.0.0.1:8080' }).corsOrigins,
    ).toHaveLength(2);
    expect(
      loadConfig({ ...minimal, PORTCULLIS_MODE: 'development', CORS_ORIGINS: 'http://app.example.com' })
        .corsOrigins,
    ).toEqual(['http://app.example.com']);
  });
});

describe('loadConfig: API keys', () => {
  const hashKey = Buffer.from(Array.from({ length: 32 }, (_, index) => index * 7 + 1));
  const API_KEY_HASH_KEY = hashKey.toString('base64url');

  it('turns API keys on when API_KEY_HASH_KEY and REDIS_URL are set, and off otherwise', () => {
    expect(loadConfig({ ...minimal, API_KEY_HASH_KEY }).apiKeys).toEqual({ hashKey });
    expect(loadConfig({ ...minimal, API_KEY_HASH_KEY: '' }).apiKeys).toBeUndefined();
    const development = {
      ...minimal,
      PORTCULLIS_MODE: 'development',
      REDIS_URL: undefined,
      API_KEY_HASH_KEY,
    };
    expect(loadConfig(development).apiKeys).toBeUndefined();
    expect(loadConfig({ ...minimal, API_KEY_HASH_KEY, API_KEYS_ENABLED: 'false' }).apiKeys).toBeUndefined();
  });

  it('refuses API_KEYS_ENABLED=true without the hash key or without Redis', () => {
    expect(names(problemsOf({ ...minimal, API_KEYS_ENABLED: 'true' }))).toEqual(['API_KEY_HASH_KEY']);
    const withoutRedis = {
      ...minimal,
      PORTCULLIS_MODE: 'development',
      REDIS_URL: undefined,
      API_KEY_HASH_KEY,
      API_KEYS_ENABLED: 'true',
    };
    expect(names(problemsOf(withoutRedis))).toEqual(['API_KEYS_ENABLED']);
  });

  it('refuses a short hash key without echoing it', () => {
    const short = Buffer.alloc(16, 9).toString('base64url');
    const problems = problemsOf({ ...minimal, API_KEY_HASH_KEY: short });
    expect(names(problems)).toEqual(['API_KEY_HASH_KEY']);
    expect(problems.join('\n')).not.toContain(short);
  });

  it('refuses, in production only, a development or typed hash key', () => {
    const development = Buffer.concat([Buffer.from('portcullis-dev:', 'ascii'), hashKey]).toString(
      'base64url',
    );
    const typed = Buffer.alloc(32, 'a').toString('base64url');
    for (const value of [development, typed]) {
      expect(names(problemsOf({ ...minimal, API_KEY_HASH_KEY: value }))).toEqual(['API_KEY_HASH_KEY']);
      expect(
        loadConfig({ ...minimal, PORTCULLIS_MODE: 'development', API_KEY_HASH_KEY: value }).apiKeys,
      ).toBeDefined();
    }
  });
});
