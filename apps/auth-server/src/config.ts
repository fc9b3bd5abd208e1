import { availableParallelism } from 'node:os';
import { MIN_API_KEY_HASH_KEY_BYTES } from '@portcullis/api-keys';
import { corsOriginProblem } from '@portcullis/service-kit';
import { z } from 'zod';
import { productionSecretProblems } from './development-secret.js';
import { type EmailConfig, parseEmailConfig } from './email/email-config.js';

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
/** The HMAC key of API key hashes: at least 32 bytes, base64url (resource servers hold the same value). */
const apiKeyHashKey = z
  .string()
  .transform((value) => Buffer.from(value, 'base64url'))
  .refine(
    (bytes) => bytes.length >= MIN_API_KEY_HASH_KEY_BYTES,
    `must be at least ${MIN_API_KEY_HASH_KEY_BYTES} bytes, base64url-encoded`,
  );
/** Origins, each checked as the CORS middleware will read it (`*` and paths refused). */
const corsOrigins = z
  .string()
  .default('')
  .transform((value) => value.split(/[\s,]+/).filter(Boolean))
  .superRefine((origins, context) => {
    for (const problem of origins.map(corsOriginProblem)) {
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }
  });
/** `REDIS_URL=` (empty, as an .env template leaves it) counts as unset. */
const redisUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
);

/** A file path; empty (as an .env template leaves it) counts as unset. */
const optionalPath = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

const environmentSchema = z.object({
  PORTCULLIS_MODE: z.enum(['production', 'development']).default('production'),
  ISSUER: z.url(),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  TRUST_PROXY: z.stringbool().default(false),
  /** Browser origins allowed to call the public endpoints (CORS), comma or space separated; empty: none. */
  CORS_ORIGINS: corsOrigins,
  /** PEM files: with both set, the public listener serves https itself (else terminate TLS in a proxy). */
  TLS_CERT_FILE: optionalPath,
  TLS_KEY_FILE: optionalPath,
  /** With TRUST_PROXY: how many proxies of ours forward to us; the address is the X-Forwarded-For entry that many from the right. */
  TRUST_PROXY_HOPS: count(1),
  /** The admin listener (DESIGN.md "Shape"): loopback by default, never the public port. */
  ADMIN_HOST: z.string().default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** Audience of admin-API tokens; default `<ISSUER>/admin`. */
  ADMIN_RESOURCE: z.url().optional(),
  /** The Prometheus listener (GET /metrics, no auth): loopback by default, like the admin one. 0 = any free port. */
  METRICS_ENABLED: z.stringbool().default(true),
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DATABASE_URL: z.url(),
  /** Longest wait for a PostgreSQL connection; a request fails (5xx) rather than hang when it is gone. */
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** Longest a query may take (statement_timeout, then client-side: a hung PostgreSQL answers nothing). */
  DATABASE_QUERY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
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
  /** Keys the HMAC under which API keys are stored (issue 8); resource servers need the same value. */
  API_KEY_HASH_KEY: apiKeyHashKey,
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
  /**
   * How long a client record and a subject's roles/permissions are served from memory. Admin changes clear
   * every instance's cache at once (Redis channel); this bounds staleness when that message is lost. 0: off.
   */
  AUTHORIZATION_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  /** Entries per cache (clients, client and user authorizations); the oldest goes first. */
  AUTHORIZATION_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  /**
   * argon2 operations at once, each on one of libuv's pool threads (credentials/limit-hash-concurrency.ts).
   * Default 2, or 1 when the process may use one CPU only (affinity, e.g. taskset): two 19 MiB working sets
   * taking turns on one core cost more CPU than one at a time (issue 7, one core: ~27.5 against ~25.3 ms
   * per argon2 verify alone, 33-37 against 32-34 ms per password grant), and one holds half the memory.
   */
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.min(2, availableParallelism())),
  /** argon2 operations that may wait for a slot; beyond that a login answers 503 at once. */
  PASSWORD_HASH_QUEUE_LIMIT: z.coerce.number().int().min(0).max(10_000).default(64),
  /**
   * Run libuv's thread pool, where argon2 hashes, at the lowest CPU priority (nice +19 relative to the
   * event loop, runtime/lower-thread-pool-priority.ts), so that a password flood cannot slow token
   * issuance, refresh and /jwks (issue 7). Linux only; elsewhere a warning at start and no change.
   * `false`: every thread keeps the process's priority.
   */
  PASSWORD_HASH_LOW_PRIORITY: z.stringbool().default(true),
  /** Read by libuv itself (its pool size, 4 by default); we need it to find the pool's threads. */
  UV_THREADPOOL_SIZE: z.coerce.number().int().min(1).max(1024).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `POST /account/register` on the public listener (issue 8); off: the route answers 404. */
  SELF_REGISTRATION_ENABLED: z.stringbool().default(false),
  /** `POST /account/password` for a user holding an `account` token. */
  PASSWORD_CHANGE_ENABLED: z.stringbool().default(true),
  /** `POST /account/password-reset` and `/account/password-reset/confirm` (emailed single-use token). */
  PASSWORD_RESET_ENABLED: z.stringbool().default(false),
  /** How long an emailed verification link works. */
  EMAIL_VERIFICATION_TTL_SECONDS: seconds(24 * 3600),
  /** How long an emailed password-reset link works. */
  PASSWORD_RESET_TTL_SECONDS: seconds(30 * 60),
  /** Where emailed links point, followed by `/verify-email#token=...`; default `<ISSUER>/account`. */
  ACCOUNT_LINK_BASE_URL: z.url().optional(),
  /** Audience of account-API tokens (password change); default `<ISSUER>/account`. */
  ACCOUNT_RESOURCE: z.url().optional(),
  /** Account requests (register, reset, verify...) per minute from one client address. */
  RATE_LIMIT_ACCOUNT_PER_IP: count(10),
  /** Account emails asked for per hour for one address (registration, resend, reset), whoever asks. */
  RATE_LIMIT_ACCOUNT_PER_EMAIL: count(5),
});

/** The one scope of admin-API tokens: a client must be allowed it, and ask for it, to reach the admin API. */
export const ADMIN_SCOPE = 'admin';
/** The one scope of account-API tokens (a user changing their own password); only user tokens get it. */
export const ACCOUNT_SCOPE = 'account';

export interface AuthServerConfig {
  mode: 'production' | 'development';
  issuer: string;
  host: string;
  port: number;
  trustProxy: boolean;
  /** Browser origins allowed to call the public endpoints (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** PEM file paths when the public listener serves https itself. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** With trustProxy: how many proxies of ours forward to us; ctx.ip is the X-Forwarded-For entry that many from the right. */
  trustProxyHops: number;
  admin: { host: string; port: number; resource: string };
  /** The metrics listener; no listener when disabled. */
  metrics: { enabled: boolean; host: string; port: number };
  databaseUrl: string;
  /** Bounds on every wait for PostgreSQL (createPrismaClient's options). */
  databaseTimeouts: { connectionTimeoutMs: number; queryTimeoutMs: number };
  /** Undefined only in development without REDIS_URL: revocations then stay in PostgreSQL alone. */
  redis: { url: string; keyPrefix: string } | undefined;
  revocation: { resyncIntervalSeconds: number };
  rateLimits: { tokenPerIp: number; tokenPerClient: number; passwordPerIp: number };
  loginLockout: { threshold: number; maxSeconds: number };
  keyEncryptionKey: Buffer;
  clientSecretPepper: Buffer;
  /** API_KEY_HASH_KEY: API keys are stored and published as HMACs under it (packages/api-keys). */
  apiKeyHashKey: Buffer;
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
  /** Process-local caches of token-request lookups (oidc/authorization-cache.ts). */
  authorizationCache: { ttlSeconds: number; maxEntries: number };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /**
   * The cap on concurrent argon2 work (credentials/limit-hash-concurrency.ts), and whether the thread pool
   * it runs on is put below the event loop (runtime/lower-thread-pool-priority.ts).
   */
  passwordHashing: { concurrency: number; queueLimit: number; lowPriority: boolean };
  /** libuv's thread pool size (UV_THREADPOOL_SIZE). */
  threadPoolSize: number;
  logLevel: string;
  /** How account mail leaves (EMAIL_TRANSPORT, EMAIL_FROM, SMTP_*; email/email-config.ts). */
  email: EmailConfig;
  /** Self-service accounts on the public listener (account/*). */
  account: {
    selfRegistration: boolean;
    passwordChange: boolean;
    passwordReset: boolean;
    verificationTtlSeconds: number;
    resetTtlSeconds: number;
    /** Emailed links are `<linkBaseUrl>/verify-email#token=...` and `<linkBaseUrl>/reset-password#token=...`. */
    linkBaseUrl: string;
    /** Audience of account-API tokens. */
    resource: string;
    perIpPerMinute: number;
    perEmailPerHour: number;
  };
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
  const email = parseEmailConfig(env);
  if (!parsed.success) {
    throw new ConfigError([
      ...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      ...missingRedis,
      ...email.problems,
    ]);
  }
  const e = parsed.data;
  const problems: string[] = [...missingRedis, ...email.problems];
  const resources = e.RESOURCES ?? [e.DEFAULT_RESOURCE];
  if (!resources.includes(e.DEFAULT_RESOURCE)) problems.push('RESOURCES: must include DEFAULT_RESOURCE');
  const issuer = e.ISSUER.replace(/\/$/, '');
  const adminResource = e.ADMIN_RESOURCE ?? `${issuer}/admin`;
  if (resources.includes(adminResource)) problems.push('ADMIN_RESOURCE: must not be one of RESOURCES');
  if (e.SCOPES.includes(ADMIN_SCOPE)) problems.push(`SCOPES: "${ADMIN_SCOPE}" is reserved for the admin API`);
  const accountResource = e.ACCOUNT_RESOURCE ?? `${issuer}/account`;
  if (resources.includes(accountResource) || accountResource === adminResource) {
    problems.push('ACCOUNT_RESOURCE: must differ from ADMIN_RESOURCE and every one of RESOURCES');
  }
  if (e.SCOPES.includes(ACCOUNT_SCOPE)) {
    problems.push(`SCOPES: "${ACCOUNT_SCOPE}" is reserved for the account API`);
  }
  if (e.PORTCULLIS_MODE === 'production' && new URL(e.ISSUER).protocol !== 'https:') {
    problems.push(
      'ISSUER: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    );
  }
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    problems.push('TLS_CERT_FILE, TLS_KEY_FILE: set both (https) or neither (http behind your TLS proxy)');
  }
  if (e.PORTCULLIS_MODE === 'production') {
    problems.push(
      ...productionSecretProblems('KEY_ENCRYPTION_KEY', e.KEY_ENCRYPTION_KEY),
      ...productionSecretProblems('CLIENT_SECRET_PEPPER', e.CLIENT_SECRET_PEPPER),
      ...productionSecretProblems('API_KEY_HASH_KEY', e.API_KEY_HASH_KEY),
    );
  }
  if (e.PORTCULLIS_MODE === 'production') problems.push(...plainHttpOriginProblems(e.CORS_ORIGINS));
  if (e.KEY_ENCRYPTION_KEY.equals(e.CLIENT_SECRET_PEPPER)) {
    problems.push('CLIENT_SECRET_PEPPER: must differ from KEY_ENCRYPTION_KEY');
  }
  if ([e.KEY_ENCRYPTION_KEY, e.CLIENT_SECRET_PEPPER].some((other) => other.equals(e.API_KEY_HASH_KEY))) {
    problems.push('API_KEY_HASH_KEY: must differ from KEY_ENCRYPTION_KEY and CLIENT_SECRET_PEPPER');
  }
  if (e.REFRESH_TOKEN_IDLE_TTL_SECONDS > e.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS) {
    problems.push('REFRESH_TOKEN_IDLE_TTL_SECONDS: must not exceed REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS');
  }
  if (problems.length > 0 || email.config === undefined) throw new ConfigError(problems);

  return {
    mode: e.PORTCULLIS_MODE,
    issuer,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    tls:
      e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    admin: { host: e.ADMIN_HOST, port: e.ADMIN_PORT, resource: adminResource },
    metrics: { enabled: e.METRICS_ENABLED, host: e.METRICS_HOST, port: e.METRICS_PORT },
    databaseUrl: e.DATABASE_URL,
    databaseTimeouts: {
      connectionTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
      queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_SECONDS * 1000,
    },
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
    apiKeyHashKey: e.API_KEY_HASH_KEY,
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
    authorizationCache: {
      ttlSeconds: e.AUTHORIZATION_CACHE_TTL_SECONDS,
      maxEntries: e.AUTHORIZATION_CACHE_MAX_ENTRIES,
    },
    argon2: {
      memoryCost: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
    },
    passwordHashing: {
      concurrency: e.PASSWORD_HASH_CONCURRENCY,
      queueLimit: e.PASSWORD_HASH_QUEUE_LIMIT,
      lowPriority: e.PASSWORD_HASH_LOW_PRIORITY,
    },
    threadPoolSize: e.UV_THREADPOOL_SIZE,
    logLevel: e.LOG_LEVEL,
    email: email.config,
    account: {
      selfRegistration: e.SELF_REGISTRATION_ENABLED,
      passwordChange: e.PASSWORD_CHANGE_ENABLED,
      passwordReset: e.PASSWORD_RESET_ENABLED,
      verificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
      resetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
      linkBaseUrl: (e.ACCOUNT_LINK_BASE_URL ?? `${issuer}/account`).replace(/\/$/, ''),
      resource: accountResource,
      perIpPerMinute: e.RATE_LIMIT_ACCOUNT_PER_IP,
      perEmailPerHour: e.RATE_LIMIT_ACCOUNT_PER_EMAIL,
    },
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

/**
 * A page served over plain http can be rewritten in transit, so in production only https origins (and
 * http on the loopback, where a developer's page runs) may read answers.
 */
function plainHttpOriginProblems(origins: readonly string[]): string[] {
  return origins
    .filter((origin) => {
      const url = new URL(origin);
      return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    })
    .map(
      (origin) =>
        `CORS_ORIGINS: "${origin}" must be https in production (plain http only for localhost and 127.0.0.1)`,
    );
}

/** Longest life of anything a signing key signs: how long a superseded key must stay in JWKS. */
export function longestAccessTokenLifetime(config: AuthServerConfig): number {
  return Math.max(config.ttl.accessToken, config.ttl.clientCredentials);
}
