import type { RevocationMirror } from '@portcullis/revocation';
import { createMetrics, type Metrics, type ReadinessCheck } from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import { refusalReason } from './refusal-reason.js';

/**
 * The resource server's metrics and the small callbacks that feed them, so that the guard and the limits
 * report without knowing about prom-client (STYLE.md §3). Every label value is a code from a fixed set.
 */
export interface ResourceServerMetrics {
  /** The registry, its HTTP middleware and scrape (service-kit createMetrics). */
  readonly metrics: Metrics;
  /** The guard refused a request (createKoaGuard `onRefused`). */
  tokenRefused(error: unknown): void;
  /** A rate limit refused a request with 429 (the limit's policy name). */
  rateLimited(limit: string): void;
  /**
   * Gauges read at scrape time: `dependency_up` for each readiness check plus Redis itself (not a readiness
   * check: within the staleness window the mirror serves without it), and the revocation mirror's state.
   */
  watch(sources: {
    readiness: Record<string, ReadinessCheck>;
    redis?: Redis;
    mirror?: RevocationMirror;
  }): void;
}

/**
 * @example
 * const appMetrics = createResourceServerMetrics();
 * const guard = createKoaGuard({ verifier, realm: 'items', onRefused: appMetrics.tokenRefused });
 * appMetrics.watch({ readiness, redis, mirror });
 */
export function createResourceServerMetrics(): ResourceServerMetrics {
  const metrics = createMetrics({ service: 'resource-server' });
  const verificationFailures = metrics.counter({
    name: 'token_verification_failures_total',
    help: 'Requests the guard refused, by reason: an invalid-token code (expired, wrong_audience, revoked...), insufficient_scope, missing_token, invalid_request, jwks_unavailable or revocation_unavailable.',
    labelNames: ['reason'],
  });
  const rateLimitRejections = metrics.counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by rate limit policy (subject, or a route override).',
    labelNames: ['limit'],
  });
  return {
    metrics,
    tokenRefused: (error) => verificationFailures.inc({ reason: refusalReason(error) }),
    // Policy names come from code and RATE_LIMIT_ROUTES: a fixed set per deployment.
    rateLimited: (limit) => rateLimitRejections.inc({ limit }),
    watch({ readiness, redis, mirror }) {
      metrics.trackDependencies(
        redis ? { ...readiness, redis: async () => (await redis.ping()) === 'PONG' } : readiness,
      );
      if (!mirror) return;
      metrics.gauge({
        name: 'revocation_mirror_fresh',
        help: 'Whether the revocation mirror is within its staleness window (1) or protected routes answer 503 (0).',
        collect: (set) => set({}, mirror.status().fresh ? 1 : 0),
      });
      metrics.gauge({
        name: 'revocation_mirror_entries',
        help: 'Revocations held in the in-memory mirror.',
        collect: (set) => set({}, mirror.status().entries),
      });
      metrics.gauge({
        name: 'revocation_mirror_subscribed',
        help: 'Whether the mirror is subscribed to the revocation channel (1) or not (0).',
        collect: (set) => set({}, mirror.status().subscribed ? 1 : 0),
      });
      metrics.gauge({
        name: 'revocation_mirror_last_sync_timestamp_seconds',
        help: 'When the last complete load of the mirror started (Unix time); 0 before the first.',
        collect(set) {
          const { lastSyncAt } = mirror.status();
          if (lastSyncAt !== undefined) set({}, lastSyncAt / 1000);
        },
      });
    },
  };
}
