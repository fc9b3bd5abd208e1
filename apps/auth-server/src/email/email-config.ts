import { z } from 'zod';

/**
 * The EMAIL_* and SMTP_* variables (issue 8), parsed from the raw environment so that config.ts reports
 * their problems together with every other one. SMTP_URL holds a password: no message here quotes it.
 */

/** Where the auth server's mail goes: a table a developer reads, or an SMTP server. */
export type EmailConfig =
  | { transport: 'outbox' }
  | { transport: 'smtp'; from: string; smtp: SmtpSettings }
  /** Production with no feature that sends mail and no EMAIL_TRANSPORT: nothing is configured, nothing sent. */
  | { transport: 'none' };

/** One SMTP server, from SMTP_URL plus the SMTP_* switches (never a URL string nodemailer would parse). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (port 465 by default). */
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
  /** On smtp://: fail unless the server offers STARTTLS and the upgrade succeeds. */
  requireTls: boolean;
  /** Bounds connecting, the greeting and every silence on the socket; a whole send gets a few of these. */
  timeoutMs: number;
}

export interface EmailConfigResult {
  config: EmailConfig | undefined;
  problems: string[];
}

/** Empty (as an .env template leaves it) counts as unset. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const emailEnvironmentSchema = z.object({
  /** `outbox` (development default) or `smtp` (production default; production refuses `outbox`). */
  EMAIL_TRANSPORT: optional(z.enum(['outbox', 'smtp'])),
  /** The From of every message: `no-reply@example.com` or `Example <no-reply@example.com>`; required with smtp. */
  EMAIL_FROM: optional(z.string()),
  /** `smtp://user:pass@host:587` (STARTTLS) or `smtps://user:pass@host:465`; required with smtp. A secret. */
  SMTP_URL: optional(z.string()),
  /** STARTTLS required on smtp:// (default true in production, false in development). */
  SMTP_REQUIRE_TLS: optional(z.stringbool()),
  SMTP_TIMEOUT_SECONDS: optional(z.coerce.number().int().min(1).max(300)),
});

const DEFAULT_TIMEOUT_SECONDS = 10;

/** The switches of the features that send mail (registration, password reset), read from the raw environment. */
const MAIL_SENDING_SWITCHES = ['SELF_REGISTRATION_ENABLED', 'PASSWORD_RESET_ENABLED'] as const;

function mailIsNeeded(env: Record<string, string | undefined>): boolean {
  return MAIL_SENDING_SWITCHES.some((name) => z.stringbool().safeParse(env[name]).data === true);
}

/**
 * Parses the email settings; `config` is set when `problems` is empty. In production with neither
 * registration nor password reset on and no EMAIL_TRANSPORT, no transport is needed: `{ transport: 'none' }`
 * (an operator who only issues tokens configures no SMTP server).
 *
 * @example
 * const { config, problems } = parseEmailConfig(process.env);
 */
export function parseEmailConfig(env: Record<string, string | undefined>): EmailConfigResult {
  const production = (env.PORTCULLIS_MODE ?? 'production') !== 'development';
  const parsed = emailEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    return {
      config: undefined,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  const e = parsed.data;
  if (production && e.EMAIL_TRANSPORT === undefined && !mailIsNeeded(env)) {
    return { config: { transport: 'none' }, problems: [] };
  }
  const transport = e.EMAIL_TRANSPORT ?? (production ? 'smtp' : 'outbox');
  const problems: string[] = [];
  const from = e.EMAIL_FROM === undefined ? undefined : parseFromHeader(e.EMAIL_FROM);
  if (from?.problem) problems.push(from.problem);
  const server = e.SMTP_URL === undefined ? undefined : parseSmtpUrl(e.SMTP_URL);
  if (server?.problem) problems.push(server.problem);
  const requireTls = e.SMTP_REQUIRE_TLS ?? production;

  if (transport === 'outbox') {
    if (production) {
      problems.push(
        'EMAIL_TRANSPORT: outbox is for development only: it stores single-use links in the clear (set EMAIL_TRANSPORT=smtp with SMTP_URL and EMAIL_FROM, or PORTCULLIS_MODE=development)',
      );
    }
    return problems.length > 0 ? { config: undefined, problems } : { config: { transport }, problems };
  }

  if (e.SMTP_URL === undefined) {
    problems.push(
      `SMTP_URL: required with EMAIL_TRANSPORT=smtp${e.EMAIL_TRANSPORT === undefined ? ' (the default in production)' : ''}: smtp://user:password@host:587 or smtps://user:password@host:465`,
    );
  }
  if (e.EMAIL_FROM === undefined) {
    problems.push('EMAIL_FROM: required with EMAIL_TRANSPORT=smtp: the sender address of every message');
  }
  const settings = server?.settings;
  if (production && settings && !settings.secure && !requireTls && settings.auth) {
    problems.push(
      'SMTP_REQUIRE_TLS: must stay true in production when SMTP_URL carries credentials on smtp://: they would cross the network in the clear (or use smtps://)',
    );
  }
  if (problems.length > 0 || !settings || !from?.header) return { config: undefined, problems };
  return {
    config: {
      transport,
      from: from.header,
      smtp: {
        ...settings,
        requireTls,
        timeoutMs: (e.SMTP_TIMEOUT_SECONDS ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      },
    },
    problems,
  };
}

const FROM_FORMAT = 'must be an address (no-reply@example.com) or "Name <no-reply@example.com>"';

/** The From header value, one line: a CR or LF would let it add headers of its own. */
function parseFromHeader(value: string): { header?: string; problem?: string } {
  const trimmed = value.trim();
  if (/[\r\n\0]/.test(trimmed)) return { problem: 'EMAIL_FROM: must be one line' };
  const match = /^(?:[^<>]*<([^<>]+)>|([^<>]+))$/.exec(trimmed);
  const address = match?.[1] ?? match?.[2];
  if (address === undefined || !z.email().safeParse(address.trim()).success) {
    return { problem: `EMAIL_FROM: ${FROM_FORMAT}` };
  }
  return { header: trimmed };
}

type ParsedSmtpServer = Omit<SmtpSettings, 'requireTls' | 'timeoutMs'>;

/** Every option comes from SMTP_* variables: a query string (nodemailer reads options there) is refused. */
function parseSmtpUrl(value: string): { settings?: ParsedSmtpServer; problem?: string } {
  const shape = 'SMTP_URL: must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: shape };
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '')
    return { problem: shape };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return { problem: `${shape}, without a path or query (options are SMTP_* variables)` };
  }
  if ((url.username === '') !== (url.password === '')) {
    return { problem: 'SMTP_URL: give both a user and a password, or neither' };
  }
  let auth: ParsedSmtpServer['auth'];
  try {
    auth =
      url.username === ''
        ? undefined
        : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  } catch {
    return { problem: 'SMTP_URL: the user or password is not valid percent-encoding' };
  }
  const secure = url.protocol === 'smtps:';
  return {
    settings: {
      // URL keeps IPv6 literals bracketed; sockets want them bare.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
      secure,
      auth,
    },
  };
}
