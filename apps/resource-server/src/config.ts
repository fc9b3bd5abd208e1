import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '@portcullis/guard';
import { corsOriginProblem } from '@portcullis/service-kit';
import { z } from 'zod';
import { apiKeyHashKeyProblems, apiKeyHashKeySchema } from './api-keys/api-key-hash-key.js';

/**
 * The resource server's whole configuration, parsed once from the environment before anything starts
 * (STYLE.md §2). Nothing else reads process.env.
 */

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** `REDIS_URL=` (empty, as an .env template leaves it) counts as unset. */
const redisUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
);

/** A file path; empty (as an .env template leaves it) counts as unset. */
const optionalPath = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

const environmentSchema = z.object({
  PORTCULLIS_MODE: z.enum(['production', 'development']).default('production'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  TRUST_PROXY: z.stringbool().default(false),
  /** Browser origins allowed to call this API (CORS), comma or space separated; empty: none. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .superRefine((origins, context) => {
      for (const problem of origins.map(corsOriginProblem)) {
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }
    }),
  /** PEM files: with both set, the listener serves https itself (else terminate TLS in a proxy). */
  TLS_CERT_FILE: optionalPath,
  TLS_KEY_FILE: optionalPath,
  /** With TRUST_PROXY: how many proxies of ours forward to us; the address is the X-Forwarded-For entry that many from the right. */
  TRUST_PROXY_HOPS: z.coerce.number().int().positive().default(1),
  /** The Prometheus listener (GET /metrics, no auth): loopback by default. 0 = any free port. */
  METRICS_ENABLED: z.stringbool().default(true),
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  DATABASE_URL: z.url(),
  /** Longest wait for a PostgreSQL connection; a request fails (5xx) rather than hang when it is gone. */
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** Longest a query may take (statement_timeout, then client-side: a hung PostgreSQL answers nothing). */
  DATABASE_QUERY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** The auth server's issuer identifier, exactly as in its tokens' `iss`. */
  ISSUER: z.url(),
  /** This API's resource indicator: tokens must carry it in `aud`. */
  AUDIENCE: z.url(),
  /** Default: discovered from the issuer's metadata. */
  JWKS_URI: z.url().optional(),
  TOKEN_ALGORITHMS: z
    .string()
    .default('ES256')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1)),
  /**
   * At most 60: revocation records outlive their tokens by the auth server's 60 s clock skew
   * (CLOCK_SKEW_SECONDS); a larger leeway would accept a revoked token again after its record expired.
   */
  CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  MAX_TOKEN_AGE_SECONDS: seconds(3600),
  MAX_TOKEN_BYTES: seconds(8192),
  /** Tokens remembered after a full verification (about 1.5 KiB each); 0 verifies every request in full. */
  VERIFIED_TOKEN_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  JWKS_REFRESH_INTERVAL_SECONDS: seconds(300),
  JWKS_MAX_STALE_SECONDS: seconds(6 * 3600),
  JWKS_UNKNOWN_KID_COOLDOWN_SECONDS: seconds(30),
  MAX_BODY_BYTES: seconds(16 * 1024),
  /** Where revocations are mirrored from (DESIGN.md "Revocation"); required in production. */
  REDIS_URL: redisUrl,
  /** The auth server's prefix: keys `<prefix>revoked:*`, channel `<prefix>revocations`. */
  REDIS_KEY_PREFIX: z.string().min(1).default('portcullis:'),
  /** Out of sync with Redis for longer than this, protected routes answer 503 rather than risk a 200. */
  REVOCATION_MAX_STALENESS_SECONDS: seconds(30),
  /** How often the mirror reloads from Redis (it also hears every revocation on the channel at once). */
  REVOCATION_RECONCILE_INTERVAL_SECONDS: seconds(5),
  /** The auth server's API_KEY_HASH_KEY (same value): X-API-Key values are checked against its HMACs. */
  API_KEY_HASH_KEY: apiKeyHashKeySchema,
  /**
   * Whether routes that opt in accept X-API-Key. Default: on when API_KEY_HASH_KEY and REDIS_URL are both
   * set (key records and their revocations come through Redis).
   */
  API_KEYS_ENABLED: z.preprocess((value) => (value === '' ? undefined : value), z.stringbool().optional()),
  /** Requests per minute per subject (user, or client for client_credentials tokens), on each route. */
  RATE_LIMIT_PER_SUBJECT: z.coerce.number().int().positive().default(600),
  /** Per-route overrides, e.g. `POST /items=60, DELETE /items/:id=30` (router path templates). */
  RATE_LIMIT_ROUTES: z
    .string()
    .default('')
    .transform((value, context) => parseRouteLimits(value, context)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** `METHOD /path=60, /other=30` → { 'METHOD /path': 60, '/other': 30 }; a malformed item is one problem. */
function parseRouteLimits(value: string, context: z.RefinementCtx): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const item of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^((?:[A-Z]+ )?\/\S*)\s*=\s*(\d+)$/.exec(item);
    const perMinute = Number(match?.[2]);
    if (!match?.[1] || !Number.isSafeInteger(perMinute) || perMinute < 1) {
      context.addIssue({
        code: 'custom',
        message: `"${item}" must look like "POST /items=60" or "/items/:id=30" (a positive integer per minute)`,
      });
      continue;
    }
    limits[match[1]] = perMinute;
  }
  return limits;
}

export interface ResourceServerConfig {
  mode: 'production' | 'development';
  host: string;
  port: number;
  trustProxy: boolean;
  /** Browser origins allowed to call this API (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** PEM file paths when the listener serves https itself. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** With trustProxy: how many proxies of ours forward to us; ctx.ip is the X-Forwarded-For entry that many from the right. */
  trustProxyHops: number;
  /** The metrics listener; no listener when disabled. */
  metrics: { enabled: boolean; host: string; port: number };
  databaseUrl: string;
  /** Bounds on every wait for PostgreSQL (createPrismaClient's options). */
  databaseTimeouts: { connectionTimeoutMs: number; queryTimeoutMs: number };
  issuer: string;
  audience: string;
  jwksUri: string | undefined;
  tokenAlgorithms: AsymmetricAlgorithm[];
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
  maxTokenBytes: number;
  /** Size of the guard's verified-token cache; 0 turns it off. */
  verifiedTokenCacheEntries: number;
  jwks: { refreshIntervalSeconds: number; maxStaleSeconds: number; unknownKidCooldownSeconds: number };
  maxBodyBytes: number;
  /** Undefined only in development without REDIS_URL: revocations are then not enforced. */
  redis: { url: string; keyPrefix: string } | undefined;
  revocation: { maxStalenessSeconds: number; reconcileIntervalSeconds: number };
  rateLimits: { perSubject: number; routes: Record<string, number> };
  /** X-API-Key on the routes that opt in; undefined when API keys are off. */
  apiKeys: { hashKey: Buffer } | undefined;
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
export function loadConfig(env: Record<string, string | undefined>): ResourceServerConfig {
  const parsed = environmentSchema.safeParse(env);
  // Cross-field rules read the raw values, so they are reported together with schema problems.
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...crossFieldProblems(env),
  ];
  if (parsed.success) problems.push(...apiKeyProblems(parsed.data));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const apiKeysEnabled =
    e.API_KEYS_ENABLED ?? (e.API_KEY_HASH_KEY !== undefined && e.REDIS_URL !== undefined);

  return {
    mode: e.PORTCULLIS_MODE,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    tls:
      e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    metrics: { enabled: e.METRICS_ENABLED, host: e.METRICS_HOST, port: e.METRICS_PORT },
    databaseUrl: e.DATABASE_URL,
    databaseTimeouts: {
      connectionTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
      queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_SECONDS * 1000,
    },
    issuer: e.ISSUER,
    audience: e.AUDIENCE,
    jwksUri: e.JWKS_URI,
    tokenAlgorithms: e.TOKEN_ALGORITHMS,
    clockToleranceSeconds: e.CLOCK_TOLERANCE_SECONDS,
    maxTokenAgeSeconds: e.MAX_TOKEN_AGE_SECONDS,
    maxTokenBytes: e.MAX_TOKEN_BYTES,
    verifiedTokenCacheEntries: e.VERIFIED_TOKEN_CACHE_MAX_ENTRIES,
    jwks: {
      refreshIntervalSeconds: e.JWKS_REFRESH_INTERVAL_SECONDS,
      maxStaleSeconds: e.JWKS_MAX_STALE_SECONDS,
      unknownKidCooldownSeconds: e.JWKS_UNKNOWN_KID_COOLDOWN_SECONDS,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    revocation: {
      maxStalenessSeconds: e.REVOCATION_MAX_STALENESS_SECONDS,
      reconcileIntervalSeconds: e.REVOCATION_RECONCILE_INTERVAL_SECONDS,
    },
    rateLimits: { perSubject: e.RATE_LIMIT_PER_SUBJECT, routes: e.RATE_LIMIT_ROUTES },
    apiKeys: apiKeysEnabled && e.API_KEY_HASH_KEY ? { hashKey: e.API_KEY_HASH_KEY } : undefined,
    logLevel: e.LOG_LEVEL,
  };
}

/** API keys need the hash key and Redis; production refuses a development or typed hash key. */
function apiKeyProblems(e: z.infer<typeof environmentSchema>): string[] {
  const problems: string[] = [];
  if (e.API_KEYS_ENABLED === true) {
    if (e.API_KEY_HASH_KEY === undefined)
      problems.push('API_KEY_HASH_KEY: required when API_KEYS_ENABLED=true');
    if (e.REDIS_URL === undefined) {
      problems.push(
        'API_KEYS_ENABLED: needs REDIS_URL (key records and their revocations come through Redis)',
      );
    }
  }
  if (e.PORTCULLIS_MODE === 'production' && e.API_KEY_HASH_KEY !== undefined) {
    problems.push(...apiKeyHashKeyProblems(e.API_KEY_HASH_KEY));
  }
  return problems;
}

function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if ((env.PORTCULLIS_MODE ?? 'production') === 'production') {
    if ((env.REDIS_URL ?? '') === '') {
      problems.push(
        'REDIS_URL: required in production: without it revoked tokens are accepted until they expire (set PORTCULLIS_MODE=development to run without it)',
      );
    }
    // A page served over plain http can be rewritten in transit: http origins only on the loopback.
    for (const origin of (env.CORS_ORIGINS ?? '').split(/[\s,]+/).filter((origin) => URL.canParse(origin))) {
      const url = new URL(origin);
      if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
        problems.push(
          `CORS_ORIGINS: "${origin}" must be https in production (plain http only for localhost and 127.0.0.1)`,
        );
      }
    }
    for (const name of ['ISSUER', 'JWKS_URI'] as const) {
      const value = env[name];
      if (value !== undefined && URL.canParse(value) && new URL(value).protocol !== 'https:') {
        problems.push(
          `${name}: must be an https URL in production (set PORTCULLIS_MODE=development for local http)`,
        );
      }
    }
  }
  const hasCert = (env.TLS_CERT_FILE ?? '') !== '';
  const hasKey = (env.TLS_KEY_FILE ?? '') !== '';
  if (hasCert !== hasKey) {
    problems.push('TLS_CERT_FILE, TLS_KEY_FILE: set both (https) or neither (http behind your TLS proxy)');
  }
  const refresh = Number(env.JWKS_REFRESH_INTERVAL_SECONDS ?? 300);
  const maxStale = Number(env.JWKS_MAX_STALE_SECONDS ?? 6 * 3600);
  if (maxStale < refresh) {
    problems.push('JWKS_MAX_STALE_SECONDS: must not be shorter than JWKS_REFRESH_INTERVAL_SECONDS');
  }
  const reconcile = Number(env.REVOCATION_RECONCILE_INTERVAL_SECONDS ?? 5);
  const staleness = Number(env.REVOCATION_MAX_STALENESS_SECONDS ?? 30);
  // A mirror that lost its subscription learns of revocations only by reloading: it must get the chance to
  // reload before its window runs out, or every outage of a second becomes a 503.
  if (reconcile >= staleness) {
    problems.push(
      'REVOCATION_RECONCILE_INTERVAL_SECONDS: must be shorter than REVOCATION_MAX_STALENESS_SECONDS',
    );
  }
  return problems;
}
