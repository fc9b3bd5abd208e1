import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { createMetricsHandler } from '../../src/metrics/create-metrics-handler.js';

const metrics = createMetrics({ service: 'handler-test', processMetrics: false });
metrics.counter({ name: 'pings_total', help: 'Pings.' }).inc({});
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(createMetricsHandler(metrics));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createMetricsHandler', () => {
  it('answers GET /metrics with the text exposition', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('portcullis_pings_total{service="handler-test"} 1');
  });

  it('ignores a query string', async () => {
    expect((await fetch(`${url}/metrics?name[]=x`)).status).toBe(200);
  });

  it('answers everything else 404', async () => {
    for (const [path, method] of [
      ['/', 'GET'],
      ['/metrics/', 'GET'],
      ['/healthz', 'GET'],
      ['/metrics', 'POST'],
      ['/metrics', 'DELETE'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method });
      expect({ path, method, status: response.status }).toEqual({ path, method, status: 404 });
      expect(await response.text()).not.toContain('portcullis_');
    }
  });

  it('answers 500 without details when collecting fails', async () => {
    const failing = createMetricsHandler({
      contentType: 'text/plain',
      scrape: () => Promise.reject(new Error('secret detail')),
    });
    const other = createServer(failing);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/metrics`);
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain('secret');
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('refuses something that is not a metrics object', () => {
    expect(() => createMetricsHandler({} as never)).toThrow(TypeError);
  });
});
