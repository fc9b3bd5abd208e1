import type { Context, Middleware, Next } from 'koa';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadinessCheck } from '../health-routes.js';
import { methodLabel, routeLabel } from './http-labels.js';

/** Every metric Portcullis defines is named `portcullis_<name>`. */
export const METRIC_PREFIX = 'portcullis_';

/** Label values by label name. Values must come from a small fixed set: never a token, id, path or user input. */
export type MetricLabels<L extends string> = Readonly<Record<L, string>>;

export interface MetricSpec<L extends string> {
  /** snake_case, without the `portcullis_` prefix; a counter's ends in `_total`. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface GaugeSpec<L extends string> extends MetricSpec<L> {
  /**
   * Sets the current values at every scrape, through `set`; series it does not set are dropped. Keep it
   * quick, or bound it yourself: a scrape waits for it. A throw is swallowed and leaves the gauge without
   * series (0, for a gauge without labels, which always has its one series).
   */
  collect?: (set: (labels: MetricLabels<L>, value: number) => void) => void | Promise<void>;
}

export interface CounterMetric<L extends string> {
  inc(labels: MetricLabels<L>, value?: number): void;
}

export interface GaugeMetric<L extends string> {
  set(labels: MetricLabels<L>, value: number): void;
}

export interface MetricsOptions {
  /** The `service` label on every series, e.g. `auth-server`. */
  service: string;
  /**
   * prom-client's Node.js process metrics (CPU, memory, event loop lag, GC) under their standard names
   * (`process_*`, `nodejs_*`), which stock dashboards expect. Default true.
   */
  processMetrics?: boolean;
}

export interface DependencyTrackingOptions {
  /** A check that has not answered by then counts as down, so a scrape never hangs on it. Default 2000. */
  timeoutMs?: number;
}

export interface Metrics {
  /** Records `portcullis_http_requests_total` and `portcullis_http_request_duration_seconds`; put it first. */
  readonly httpMiddleware: Middleware;
  /** A counter in this instance's registry. */
  counter<L extends string = never>(spec: MetricSpec<L>): CounterMetric<L>;
  /** A gauge in this instance's registry, set directly or by `collect` at scrape time. */
  gauge<L extends string = never>(spec: GaugeSpec<L>): GaugeMetric<L>;
  /**
   * `portcullis_dependency_up{dependency}`: 1 or 0 per check, run at scrape time — the readiness checks the
   * app passes to createHealthRoutes (read at every scrape), each bounded by a timeout. Call once.
   */
  trackDependencies(checks: Record<string, ReadinessCheck>, options?: DependencyTrackingOptions): void;
  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string>;
  /** The Content-Type of `scrape()`'s text. */
  readonly contentType: string;
}

/** 1 ms to 5 s: a verified resource request takes about a millisecond, an argon2 password grant tens. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const NAME = /^[a-z][a-z0-9_]*$/;
const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/**
 * The metrics of one app instance, in a prom-client Registry of its own — never prom-client's global
 * default registry, which every app built in the same process (tests build several) would share and
 * collide in. Label values must come from small fixed sets (Prometheus "Instrumentation", "Use labels").
 *
 * @example
 * const metrics = createMetrics({ service: 'resource-server' });
 * const refused = metrics.counter({ name: 'token_verification_failures_total', help: 'Refused tokens.', labelNames: ['reason'] });
 * refused.inc({ reason: 'expired' });
 * metrics.trackDependencies({ postgres: () => pingDatabase(prisma) });
 * app.use(metrics.httpMiddleware);
 */
export function createMetrics(options: MetricsOptions): Metrics {
  if (typeof options?.service !== 'string' || options.service === '') {
    throw new TypeError('createMetrics: service must be a non-empty string');
  }
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const httpLabels = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: httpLabels,
    registers: [registry],
  });
  const durations = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request (until the body is handed to Node), by method, route template and status.',
    labelNames: httpLabels,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const httpMiddleware = async function recordHttpMetrics(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    let status: number | undefined;
    try {
      await next();
    } catch (error) {
      status = errorStatus(error);
      throw error;
    } finally {
      const labels = {
        method: methodLabel(ctx.method),
        route: routeLabel(ctx),
        status: String(status ?? ctx.status),
      };
      requests.inc(labels);
      durations.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };

  const gauge = <L extends string>(spec: GaugeSpec<L>): GaugeMetric<L> => {
    const { name, help, labelNames } = checkSpec('gauge', spec);
    const { collect } = spec;
    if (collect !== undefined && typeof collect !== 'function') {
      throw new TypeError('createMetrics: gauge collect must be a function');
    }
    const metric: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      ...(collect
        ? {
            async collect() {
              metric.reset();
              try {
                await collect((labels, value) => metric.set(labels as Record<L, string>, value));
              } catch {
                metric.reset(); // no value rather than a half-set one; the scrape itself still succeeds
              }
            },
          }
        : {}),
    });
    return { set: (labels, value) => metric.set(labels as Record<L, string>, value) };
  };

  return {
    httpMiddleware,
    counter<L extends string>(spec: MetricSpec<L>): CounterMetric<L> {
      const { name, help, labelNames } = checkSpec('counter', spec);
      if (!name.endsWith('_total')) throw new TypeError(`createMetrics: counter ${name} must end in _total`);
      const metric = new Counter<L>({ name, help, labelNames, registers: [registry] });
      return { inc: (labels, value = 1) => metric.inc(labels as Record<L, string>, value) };
    },
    gauge,
    trackDependencies(checks, { timeoutMs = DEFAULT_CHECK_TIMEOUT_MS } = {}) {
      if (typeof checks !== 'object' || checks === null) {
        throw new TypeError('trackDependencies: checks must be an object of readiness checks');
      }
      if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
        throw new TypeError(`trackDependencies: timeoutMs must be a positive integer, got ${timeoutMs}`);
      }
      gauge({
        name: 'dependency_up',
        help: 'Whether a dependency answered its readiness check at scrape time (1) or not (0).',
        labelNames: ['dependency'],
        async collect(set) {
          // Read at every scrape, as createHealthRoutes does: an app may add a check once its part is built.
          const results = await Promise.all(
            Object.entries(checks).map(
              async ([dependency, check]) => [dependency, await passes(check, timeoutMs)] as const,
            ),
          );
          for (const [dependency, up] of results) set({ dependency }, up ? 1 : 0);
        },
      });
    },
    scrape: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

function checkSpec<L extends string>(
  kind: string,
  spec: MetricSpec<L>,
): { name: string; help: string; labelNames: L[] } {
  if (typeof spec?.name !== 'string' || !NAME.test(spec.name) || spec.name.startsWith(METRIC_PREFIX)) {
    throw new TypeError(`createMetrics: ${kind} name must be snake_case without the ${METRIC_PREFIX} prefix`);
  }
  if (typeof spec.help !== 'string' || spec.help === '') {
    throw new TypeError(`createMetrics: ${kind} ${spec.name} needs a help text`);
  }
  const labelNames = [...(spec.labelNames ?? [])];
  for (const label of labelNames) {
    if (typeof label !== 'string' || !NAME.test(label) || label === 'service') {
      throw new TypeError(`createMetrics: ${kind} ${spec.name} has an invalid label name ${String(label)}`);
    }
  }
  return { name: `${METRIC_PREFIX}${spec.name}`, help: spec.help, labelNames };
}

/** As Koa's own error handler picks the status of a thrown error: its 4xx/5xx `status`, else 500. */
function errorStatus(error: unknown): number {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const candidate = typeof status === 'number' ? status : statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate <= 599 ? candidate : 500;
}

/** True only if `check` resolves true within `timeoutMs`; a throw, false or no answer in time is down. */
async function passes(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  if (typeof check !== 'function') return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timedOut]).then(
      (up) => up === true,
      () => false,
    );
  } finally {
    clearTimeout(timer);
  }
}
