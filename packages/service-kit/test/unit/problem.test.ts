import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { ProblemError, problemResponses } from '../../src/problem.js';
import { type Listening, listen } from './listen.js';

const logged: { object: Record<string, unknown>; message: string }[] = [];
const logger = {
  error(object: object, message: string) {
    logged.push({ object: object as Record<string, unknown>, message });
  },
};

const SECRET_SQL = 'duplicate key value violates unique constraint "users_email_key": INSERT INTO users';

let server: Listening;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(problemResponses(logger));
  app.use(async (ctx) => {
    switch (ctx.path) {
      case '/ok':
        ctx.body = { ok: true };
        return;
      case '/no-content':
        ctx.status = 204;
        return;
      case '/own-404':
        ctx.status = 404;
        ctx.body = { message: 'custom' };
        return;
      case '/problem':
        throw new ProblemError(
          409,
          'Conflict',
          {
            detail: 'an item with this name exists',
            type: 'https://example.test/problems/duplicate',
            name: 'x',
          },
          { 'Retry-After': '3' },
        );
      case '/problem-503':
        throw new ProblemError(503, 'Service Unavailable', { detail: 'try later' }, { 'Retry-After': '7' });
      case '/sql':
        throw new Error(SECRET_SQL);
      case '/string':
        throw 'a string with a secret: hunter2';
      case '/null':
        throw null;
      case '/koa-400':
        ctx.throw(400);
        return;
      case '/koa-405':
        ctx.throw(405, { headers: { Allow: 'GET, HEAD' } });
        return;
      case '/koa-500':
        ctx.throw(500, 'password=hunter2');
        return;
      case '/status-without-expose':
        throw Object.assign(new Error(SECRET_SQL), { status: 400 });
      default:
        // Nobody answers: Koa leaves a 404 without a body.
        return;
    }
  });
  server = await listen(app);
});

afterAll(async () => {
  await server.close();
});

async function get(path: string) {
  logged.length = 0;
  const response = await fetch(`${server.url}${path}`);
  const text = await response.text();
  return { response, text, body: text ? JSON.parse(text) : undefined };
}

const GENERIC_500 = {
  type: 'about:blank',
  title: 'Internal Server Error',
  status: 500,
  detail: 'an unexpected error occurred',
};

describe('problemResponses', () => {
  it('writes a ProblemError as application/problem+json with its extensions and headers', async () => {
    const { response, body } = await get('/problem');
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(body).toEqual({
      type: 'https://example.test/problems/duplicate',
      title: 'Conflict',
      status: 409,
      detail: 'an item with this name exists',
      name: 'x',
    });
    expect(logged).toEqual([]);
  });

  it('writes a 5xx ProblemError as it is, and logs it', async () => {
    const { response, body } = await get('/problem-503');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'try later',
    });
    expect(logged).toHaveLength(1);
  });

  it('turns an unexpected Error into a generic 500 that does not leak its message', async () => {
    const { response, text, body } = await get('/sql');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toEqual(GENERIC_500);
    for (const fragment of ['users_email_key', 'INSERT', 'duplicate key'])
      expect(text).not.toContain(fragment);
  });

  it('logs the unexpected error with its path, for the operator', async () => {
    await get('/sql');
    expect(logged).toEqual([
      {
        message: 'request failed',
        object: { path: '/sql', err: expect.objectContaining({ message: SECRET_SQL }) },
      },
    ]);
  });

  it.each(['/string', '/null'])('turns a thrown non-Error (%s) into the generic 500', async (path) => {
    const { response, text, body } = await get(path);
    expect(response.status).toBe(500);
    expect(body).toEqual(GENERIC_500);
    expect(text).not.toContain('hunter2');
  });

  it('shows a Koa ctx.throw(400), which Koa marks as exposed', async () => {
    const { response, body } = await get('/koa-400');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(logged).toEqual([]);
  });

  it('keeps the headers of a Koa error (Allow on a 405)', async () => {
    const { response, body } = await get('/koa-405');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(body).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });

  it('hides the message of a Koa 500, which Koa does not expose', async () => {
    const { response, text, body } = await get('/koa-500');
    expect(response.status).toBe(500);
    expect(body).toEqual(GENERIC_500);
    expect(text).not.toContain('hunter2');
  });

  it('hides an error that has a 4xx status but is not marked exposed', async () => {
    const { response, text } = await get('/status-without-expose');
    expect(response.status).toBe(500);
    expect(text).not.toContain('users_email_key');
  });

  it('answers a route nobody handled with a 404 problem rather than Koa’s text', async () => {
    const { response, body } = await get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404 });
    expect(logged).toEqual([]);
  });

  it('leaves answered routes alone, a 404 with its own body and a 204 included', async () => {
    expect((await get('/ok')).body).toEqual({ ok: true });
    const own = await get('/own-404');
    expect(own.response.status).toBe(404);
    expect(own.body).toEqual({ message: 'custom' });
    const empty = await get('/no-content');
    expect(empty.response.status).toBe(204);
    expect(empty.text).toBe('');
  });
});

describe('ProblemError', () => {
  it('uses the detail as its message, or the title without one', () => {
    expect(new ProblemError(404, 'Not Found', { detail: 'no item' }).message).toBe('no item');
    expect(new ProblemError(404, 'Not Found').message).toBe('Not Found');
    expect(new ProblemError(404, 'Not Found')).toMatchObject({ status: 404, details: {}, headers: {} });
  });
});
