import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Metrics } from './create-metrics.js';

export interface MetricsHandlerOptions {
  /** Told when collecting failed (the scraper gets a bare 500). */
  logger?: { error(object: object, message: string): void };
}

/**
 * The handler of a dedicated metrics listener: `GET /metrics` answers the text exposition, anything else
 * 404. It checks no credentials, so it belongs on its own listener on loopback or an internal network —
 * never on a public one (the figures tell an attacker how the limits and defences are doing).
 *
 * @example
 * serveHttp({ listeners: [{ name: 'metrics', handler: createMetricsHandler(metrics), host: '127.0.0.1', port: 9464 }], logger, close });
 */
export function createMetricsHandler(
  metrics: Pick<Metrics, 'scrape' | 'contentType'>,
  options: MetricsHandlerOptions = {},
): RequestListener {
  if (typeof metrics?.scrape !== 'function') {
    throw new TypeError('createMetricsHandler: metrics must come from createMetrics()');
  }
  const { logger } = options;
  return function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = (req.url ?? '').split('?', 1)[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      answer(res, 404, 'text/plain; charset=utf-8', 'Not Found\n', req.method === 'HEAD');
      return;
    }
    metrics.scrape().then(
      (text) => answer(res, 200, metrics.contentType, text, req.method === 'HEAD'),
      (error: unknown) => {
        logger?.error({ err: error }, 'metrics could not be collected');
        answer(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n', req.method === 'HEAD');
      },
    );
  };
}

function answer(res: ServerResponse, status: number, type: string, body: string, headOnly: boolean): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
}
