import { afterEach, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import type { Logger } from 'pino';
import { ProblemError, problemResponses } from '../../src/problem.js';
import { type RequestContextState, requestContext } from '../../src/request-context.js';
import { type CapturedLogs, captureLogs } from './capture-logs.js';
import { type Listening, listen } from './listen.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** requestContext, then (optionally) the problem serializer, then a few routes. */
async function start(logs: CapturedLogs, { withProblems = true } = {}): Promise<string> {
  const app = new Koa<RequestContextState>();
  app.silent = true;
  app.use(requestContext(logs.logger));
  if (withProblems) app.use(problemResponses(logs.logger));
  app.use((ctx) => {
    switch (ctx.path) {
      case '/things':
        ctx.state.log.info({ thing: 1 }, 'thing read');
        ctx.body = { requestId: ctx.state.requestId };
        return;
      case '/limited':
        throw new ProblemError(429, 'Too Many Requests', {}, { 'Retry-After': '5' });
      case '/broken':
        throw new Error('database on fire');
      case '/healthz':
        ctx.body = { status: 'ok' };
        return;
      default:
        return; // 404
    }
  });
  server = await listen(app);
  return server.url;
}

const completed = (logs: CapturedLogs) => logs.lines.filter((line) => line.msg === 'request completed');

describe('requestContext: the request id', () => {
  it('is a fresh UUID when the request has none, echoed in X-Request-Id and on ctx.state', async () => {
    const url = await start(captureLogs());
    const response = await fetch(`${url}/things`);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(await response.json()).toEqual({ requestId: id });
  });

  it('is taken from a well-formed inbound X-Request-Id', async () => {
    const url = await start(captureLogs());
    for (const inbound of ['abc-123', 'lb-7:00042', '01J9Z3K.x_y', 'a'.repeat(128)]) {
      const response = await fetch(`${url}/things`, { headers: { 'x-request-id': inbound } });
      expect(response.headers.get('x-request-id')).toBe(inbound);
    }
  });

  it('replaces an inbound id that is too long or holds anything outside [A-Za-z0-9._:-]', async () => {
    const url = await start(captureLogs());
    for (const inbound of ['a'.repeat(129), 'has space', 'quote"', 'semi;colon', '{"json":1}', 'tab\there']) {
      const response = await fetch(`${url}/things`, { headers: { 'x-request-id': inbound } });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('is on error answers too: 404, 429, 500', async () => {
    const url = await start(captureLogs());
    for (const [path, status] of [
      ['/nowhere', 404],
      ['/limited', 429],
      ['/broken', 500],
    ] as const) {
      const response = await fetch(`${url}${path}`, { headers: { 'x-request-id': `id-${status}` } });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toBe(`id-${status}`);
    }
  });

  it("survives an error no serializer caught (Koa's own answer clears the headers set so far)", async () => {
    const url = await start(captureLogs(), { withProblems: false });
    const response = await fetch(`${url}/broken`, { headers: { 'x-request-id': 'uncaught-1' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('uncaught-1');
  });
});

describe('requestContext: the access log', () => {
  it('writes one info line per request with the id, method, path, status, duration and address', async () => {
    const logs = captureLogs();
    const url = await start(logs);
    await fetch(`${url}/things`, { headers: { 'x-request-id': 'req-1' } });
    const lines = completed(logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      requestId: 'req-1',
      method: 'GET',
      path: '/things',
      status: 200,
      ip: expect.stringMatching(/127\.0\.0\.1$/),
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
  });

  it('binds the id to ctx.state.log, so the routes’ own lines carry it', async () => {
    const logs = captureLogs();
    const url = await start(logs);
    await fetch(`${url}/things`, { headers: { 'x-request-id': 'req-2' } });
    expect(logs.lines.find((line) => line.msg === 'thing read')).toMatchObject({
      requestId: 'req-2',
      thing: 1,
    });
  });

  it('never logs the query string, which may carry a token', async () => {
    const logs = captureLogs();
    const url = await start(logs);
    await fetch(`${url}/things?access_token=eyJhbGciOiJFUzI1NiJ9.secret-token-value&x=1`);
    expect(completed(logs)[0]?.path).toBe('/things');
    expect(logs.raw()).not.toContain('secret-token-value');
    expect(logs.raw()).not.toContain('access_token');
  });

  it('logs the status of error answers, and a 5xx from problemResponses with the request id', async () => {
    const logs = captureLogs();
    const url = await start(logs);
    await fetch(`${url}/broken`, { headers: { 'x-request-id': 'req-500' } });
    await fetch(`${url}/nowhere`);
    expect(completed(logs).map((line) => line.status)).toEqual([500, 404]);
    const failure = logs.lines.find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, requestId: 'req-500', path: '/broken' });
  });

  it('logs an error nothing caught as a 500', async () => {
    const logs = captureLogs();
    const url = await start(logs, { withProblems: false });
    await fetch(`${url}/broken`);
    expect(completed(logs)[0]).toMatchObject({ status: 500, path: '/broken' });
  });

  it('logs health probes at debug only', async () => {
    const atInfo = captureLogs('info');
    const url = await start(atInfo);
    await fetch(`${url}/healthz`);
    expect(completed(atInfo)).toEqual([]);
    await server?.close();
    const atDebug = captureLogs('debug');
    const debugUrl = await start(atDebug);
    await fetch(`${debugUrl}/healthz`);
    expect(completed(atDebug)[0]).toMatchObject({ level: 20, path: '/healthz' });
  });

  it('needs a pino logger', () => {
    expect(() => requestContext({ error: () => undefined } as unknown as Logger)).toThrow(TypeError);
  });
});
