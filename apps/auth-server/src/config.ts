import { z } from 'zod';

/**
 * The auth server's whole configuration, parsed once from the environment before anything starts
 * (STYLE.md §2). Nothing else reads process.env. Secrets have no defaults in any mode: `npm start`
 * generates development secrets into .data/ instead of shipping one in the code.
 */

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A positive whole number of requests or attempts. */
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const list = (separator: RegExp) =>
  z
    .string()
    .transform((value) =>
      value
        .split(separator)
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1));
/** 32 random bytes, base64url: `openssl rand -base64 32 | tr '+/' '-_' | tr -d '='`. */
const secretKey = z
  .string()
  .transform((value) => Buffer.from(value, 'base64url'))
  .refine((bytes) => bytes.length === 32, 'must be 32 bytes, base64url-encoded');
/** `REDIS_URL=` (empty, as an .env template leaves it) counts as unset. */
const redisUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
);

const environmentSchema = z.object({
  PORTCULLIS_MODE: z.enum(['production', 'development']).default('production'),
  ISSUER: z.url(),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  TRUST_PROXY: z.stringbool().default(false),
  /** With TRUST_PROXY: how many proxies of ours forward to us; the address is the X-Forwarded-For entry that many from the right. */
  TRUST_PROXY_HOPS: count(1),
  /** The admin listener (DESIGN.md "Shape"): loopback by default, never the public port. */
  ADMIN_HOST: z.string().default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** Audience of admin-API tokens; default `<ISSUER>/admin`. */
  ADMIN_RESOURCE: z.url().optional(),
  DATABASE_URL: z.url(),
  /** The revocation fast path (DESIGN.md "Revocation"); required in production. */
  REDIS_URL: redisUrl,
  /** Prepended to every Redis key; the revocation channel is `<prefix>revocations`. */
  REDIS_KEY_PREFIX: z.string().min(1).default('portcullis:'),
  /** Full reseed of Redis from PostgreSQL even when all looks well (a crash between commit and publish). */
  REVOCATION_RESYNC_INTERVAL_SECONDS: seconds(60),
  /** Token, revocation and introspection requests per minute from one client address (IPv6: one /64). */
  RATE_LIMIT_TOKEN_PER_IP: count(300),
  /** Token-endpoint requests per minute naming one client (HTTP Basic). */
  RATE_LIMIT_TOKEN_PER_CLIENT: count(600),
  /** Password-grant attempts per minute from one client address, all usernames together. */
  RATE_LIMIT_PASSWORD_PER_IP: count(30),
  /** Consecutive failed passwords (per username and address) before the pair is locked. */
  LOGIN_LOCKOUT_THRESHOLD: count(5),
  /** The longest lock: it starts at 1 s and doubles with every further failure up to this. */
  LOGIN_LOCKOUT_MAX_SECONDS: seconds(900),
  KEY_ENCRYPTION_KEY: secretKey,
  CLIENT_SECRET_PEPPER: secretKey,
  SIGNING_ALG: z.enum(['ES256', 'EdDSA', 'PS256']).default('ES256'),
  DEFAULT_RESOURCE: z.url(),
  RESOURCES: list(/[\s,]+/).optional(),
  SCOPES: list(/\s+/),
  ACCESS_TOKEN_TTL_SECONDS: seconds(5 * 60),
  CLIENT_CREDENTIALS_TTL_SECONDS: seconds(10 * 60),
  REFRESH_TOKEN_IDLE_TTL_SECONDS: seconds(14 * 24 * 3600),
  REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: seconds(30 * 24 * 3600),
  KEY_ACTIVATION_DELAY_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60),
  KEY_RELOAD_INTERVAL_SECONDS: seconds(30),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The one scope of admin-API tokens: a client must be allowed it, and ask for it, to reach the admin API. */
export const ADMIN_SCOPE = 'admin';

export interface AuthServerConfig {
  mode: 'production' | 'development';
  issuer: string;
  host: string;
  port: number;
  trustProxy: boolean;
  /** With trustProxy: how many proxies of ours forward to us; ctx.ip is the X-Forwarded-For entry that many from the right. */
  trustProxyHops: number;
  admin: { host: string; port: number; resource: string };
  databaseUrl: string;
  /** Undefined only in development without REDIS_URL: revocations then stay in PostgreSQL alone. */
  redis: { url: string; keyPrefix: string } | undefined;
  revocation: { resyncIntervalSeconds: number };
  rateLimits: { tokenPerIp: number; tokenPerClient: number; passwordPerIp: number };
  loginLockout: { threshold: number; maxSeconds: number };
  keyEncryptionKey: Buffer;
  clientSecretPepper: Buffer;
  signingAlg: 'ES256' | 'EdDSA' | 'PS256';
  defaultResource: string;
  resources: string[];
  scopes: string[];
  ttl: {
    accessToken: number;
    clientCredentials: number;
    refreshTokenIdle: number;
    refreshTokenAbsolute: number;
  };
  keyActivationDelaySeconds: number;
  keyReloadIntervalSeconds: number;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  logLevel: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment; throws one ConfigError listing every problem found. */
export function loadConfig(env: Record<string, string | undefined>): AuthServerConfig {
  const parsed = environmentSchema.safeParse(env);
  // Read from the raw environment, so that it is reported together with schema problems.
  const missingRedis = redisRequiredProblems(env);
  if (!parsed.success) {
    throw new ConfigError([
      ...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      ...missingRedis,
    ]);
  }
  const e = parsed.data;
  const problems: string[] = [...missingRedis];
  const resources = e.RESOURCES ?? [e.DEFAULT_RESOURCE];
  if (!resources.includes(e.DEFAULT_RESOURCE)) problems.push('RESOURCES: must include DEFAULT_RESOURCE');
  const issuer = e.ISSUER.replace(/\/$/, '');
  const adminResource = e.ADMIN_RESOURCE ?? `${issuer}/admin`;
  if (resources.includes(adminResource)) problems.push('ADMIN_RESOURCE: must not be one of RESOURCES');
  if (e.SCOPES.includes(ADMIN_SCOPE)) problems.push(`SCOPES: "${ADMIN_SCOPE}" is reserved for the admin API`);
  if (e.PORTCULLIS_MODE === 'production' && new URL(e.ISSUER).protocol !== 'https:') {
    problems.push(
      'ISSUER: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    );
  }
  if (e.KEY_ENCRYPTION_KEY.equals(e.CLIENT_SECRET_PEPPER)) {
    problems.push('CLIENT_SECRET_PEPPER: must differ from KEY_ENCRYPTION_KEY');
  }
  if (e.REFRESH_TOKEN_IDLE_TTL_SECONDS > e.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS) {
    problems.push('REFRESH_TOKEN_IDLE_TTL_SECONDS: must not exceed REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode: e.PORTCULLIS_MODE,
    issuer,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    admin: { host: e.ADMIN_HOST, port: e.ADMIN_PORT, resource: adminResource },
    databaseUrl: e.DATABASE_URL,
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    revocation: { resyncIntervalSeconds: e.REVOCATION_RESYNC_INTERVAL_SECONDS },
    rateLimits: {
      tokenPerIp: e.RATE_LIMIT_TOKEN_PER_IP,
      tokenPerClient: e.RATE_LIMIT_TOKEN_PER_CLIENT,
      passwordPerIp: e.RATE_LIMIT_PASSWORD_PER_IP,
    },
    loginLockout: { threshold: e.LOGIN_LOCKOUT_THRESHOLD, maxSeconds: e.LOGIN_LOCKOUT_MAX_SECONDS },
    keyEncryptionKey: e.KEY_ENCRYPTION_KEY,
    clientSecretPepper: e.CLIENT_SECRET_PEPPER,
    signingAlg: e.SIGNING_ALG,
    defaultResource: e.DEFAULT_RESOURCE,
    resources,
    scopes: e.SCOPES,
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL_SECONDS,
      clientCredentials: e.CLIENT_CREDENTIALS_TTL_SECONDS,
      refreshTokenIdle: e.REFRESH_TOKEN_IDLE_TTL_SECONDS,
      refreshTokenAbsolute: e.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS,
    },
    keyActivationDelaySeconds: e.KEY_ACTIVATION_DELAY_SECONDS,
    keyReloadIntervalSeconds: e.KEY_RELOAD_INTERVAL_SECONDS,
    argon2: {
      memoryCost: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
    },
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * Production needs Redis: without it a revocation never reaches a resource server. Development may run
 * without (container.ts warns loudly).
 */
function redisRequiredProblems(env: Record<string, string | undefined>): string[] {
  const production = (env.PORTCULLIS_MODE ?? 'production') === 'production';
  if (!production || (env.REDIS_URL ?? '') !== '') return [];
  return [
    'REDIS_URL: required in production: revocations reach resource servers through Redis (set PORTCULLIS_MODE=development to run without it)',
  ];
}

/** Longest life of anything a signing key signs: how long a superseded key must stay in JWKS. */
export function longestAccessTokenLifetime(config: AuthServerConfig): number {
  return Math.max(config.ttl.accessToken, config.ttl.clientCredentials);
}
