import type { AuditEventInput } from '@portcullis/db';
import { createMetrics, type Metrics } from '@portcullis/service-kit';

/**
 * The auth server's metrics and the small callbacks that feed them, so that domain code reports events
 * without knowing about prom-client (STYLE.md §3). Every label value is a code from a fixed set.
 */
export interface AuthServerMetrics {
  /** The registry, its HTTP middleware and scrape (service-kit createMetrics). */
  readonly metrics: Metrics;
  /** A token endpoint grant succeeded (oidc-provider `grant.success`). */
  tokenIssued(grantType: unknown): void;
  /** A token endpoint request was refused with an OAuth error (oidc-provider `grant.error`). */
  tokenRefused(error: unknown): void;
  /** Every audit event; counts `login.failed` and `login.throttled`. */
  auditEvent(event: AuditEventInput): void;
  /** A revocation was recorded (its kind: jti, grant, user, client, kid). */
  revoked(kind: string): void;
  /** A rate limit refused a request with 429 (the limit's policy name). */
  rateLimited(limit: string): void;
}

/** Codes we emit are snake_case words; anything else (a future or foreign value) is counted as `other`. */
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
/** Our rate limit policy names, as in the RateLimit-Policy header: `token-ip`, `token-client`, `password-ip`. */
const POLICY_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * @example
 * const appMetrics = createAuthServerMetrics();
 * const audit = createAuditRecorder(prisma, logger, { onEvent: appMetrics.auditEvent });
 * serveHttp({ listeners: [{ name: 'metrics', handler: createMetricsHandler(appMetrics.metrics), host, port }], logger, close });
 */
export function createAuthServerMetrics(): AuthServerMetrics {
  const metrics = createMetrics({ service: 'auth-server' });
  const tokensIssued = metrics.counter({
    name: 'tokens_issued_total',
    help: 'Token endpoint grants that issued tokens, by grant type.',
    labelNames: ['grant_type'],
  });
  const tokenRequestsRefused = metrics.counter({
    name: 'token_requests_refused_total',
    help: 'Token endpoint requests refused with an RFC 6749 error, by error code.',
    labelNames: ['error'],
  });
  const loginFailures = metrics.counter({
    name: 'login_failures_total',
    help: 'Password grant logins refused: wrong_password, unknown_user, disabled, password_too_long, or throttled before the password was checked (lockout, ip_rate).',
    labelNames: ['reason'],
  });
  const revocations = metrics.counter({
    name: 'revocations_total',
    help: 'Revocations recorded, by kind (jti, grant, user, client, kid).',
    labelNames: ['kind'],
  });
  const rateLimitRejections = metrics.counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by rate limit policy.',
    labelNames: ['limit'],
  });
  return {
    metrics,
    tokenIssued: (grantType) => tokensIssued.inc({ grant_type: code(grantType) }),
    tokenRefused: (error) => tokenRequestsRefused.inc({ error: code(error) }),
    auditEvent(event) {
      if (event.type !== 'login.failed' && event.type !== 'login.throttled') return;
      loginFailures.inc({ reason: code(event.details?.reason) });
    },
    revoked: (kind) => revocations.inc({ kind: code(kind) }),
    rateLimited: (limit) => rateLimitRejections.inc({ limit: code(limit, POLICY_NAME) }),
  };
}

function code(value: unknown, pattern = CODE): string {
  return typeof value === 'string' && pattern.test(value) ? value : 'other';
}
