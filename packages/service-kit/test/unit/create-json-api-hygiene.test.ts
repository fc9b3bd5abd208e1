import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Router from '@koa/router';
import { createJsonApi } from '../../src/create-json-api.js';
import { type CapturedLogs, captureLogs } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

const ORIGIN = 'https://app.example.com';
let api: Listening;
let logs: CapturedLogs;

beforeAll(async () => {
  const router = new Router();
  router.get('/items', (ctx) => {
    ctx.body = [];
  });
  router.delete('/items/:id', (ctx) => {
    ctx.status = 204;
  });
  logs = captureLogs('debug');
  api = await listen(
    createJsonApi({
      logger: logs.logger,
      trustProxy: false,
      readiness: {},
      routers: [router],
      corsOrigins: [ORIGIN],
    }),
  );
});

afterAll(() => api.close());

describe('createJsonApi hygiene', () => {
  it('gives every answer a request id: 200, 404, 405, 405 on a health route', async () => {
    for (const [method, path, status] of [
      ['GET', '/items', 200],
      ['GET', '/nowhere', 404],
      ['PUT', '/items', 405],
      ['PUT', '/healthz', 405],
    ] as const) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('answers a wrong method on a health route as a router does: 405 problem with Allow', async () => {
    const response = await fetch(`${api.url}/readyz`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({ type: 'about:blank', title: 'Method Not Allowed', status: 405 });
    const options = await fetch(`${api.url}/healthz`, { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('GET');
  });

  it('allows its origins, with the methods its routers have in a preflight answer', async () => {
    const preflight = await fetch(`${api.url}/items/1`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')?.split(',').sort()).toEqual([
      'DELETE',
      'GET',
      'HEAD',
    ]);
    const get = await fetch(`${api.url}/items`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('writes the access log line', async () => {
    await fetch(`${api.url}/items?page=2`, { headers: { 'x-request-id': 'kit-1' } });
    expect(logs.lines.find((line) => line.requestId === 'kit-1')).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      path: '/items',
      status: 200,
    });
  });
});
