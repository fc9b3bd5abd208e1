import { z } from 'zod';
import type { ParsedOptions } from '../args/parsed-options.js';
import { AuthError, UsageError } from '../cli-errors.js';

/** Where to reach the admin API and as whom; flags win over the environment, which wins over the session. */
export interface ConnectionSettings {
  adminUrl: string | undefined;
  clientId: string | undefined;
  /** Only ever from the environment (or login's own sources): a flag value would show in `ps`. */
  clientSecret: string | undefined;
  issuerUrl: string | undefined;
  timeoutMs: number;
  /** --insecure-http: plain http to a non-loopback host is allowed (with a warning) instead of refused. */
  insecureHttp: boolean;
}

const DEFAULT_TIMEOUT_SECONDS = 10;

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((value) => !new URL(value).search && !new URL(value).hash, 'must not have a query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

export function readConnectionSettings(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings {
  return {
    adminUrl: url(options, env, 'admin-url', 'PORTCULLIS_ADMIN_URL'),
    clientId: options.string('client-id') ?? (env.PORTCULLIS_CLIENT_ID || undefined),
    clientSecret: env.PORTCULLIS_CLIENT_SECRET || undefined,
    issuerUrl: url(options, env, 'issuer-url', 'PORTCULLIS_ISSUER_URL'),
    timeoutMs: (options.integer('timeout', { min: 1, max: 600 }) ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    insecureHttp: options.flag('insecure-http'),
  };
}

/** A base URL from a flag (a bad one is a usage error) or the environment (a configuration error). */
function url(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
  flag: string,
  variable: string,
): string | undefined {
  const fromFlag = options.string(flag);
  const raw = fromFlag ?? (env[variable] || undefined);
  if (raw === undefined) return undefined;
  const parsed = baseUrl.safeParse(raw);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues[0]?.message ?? 'is invalid';
  if (fromFlag !== undefined) throw new UsageError(`--${flag} ${reason}`);
  throw new AuthError(`${variable} ${reason}`);
}
