import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import {
  GuardUnavailableError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../../src/errors.js';
import { guardErrorResponse } from '../../src/guard-error-response.js';

describe('guardErrorResponse', () => {
  it('answers missing credentials with 401 and a challenge without an error code (RFC 6750 §3.1)', () => {
    expect(guardErrorResponse(new MissingTokenError(), 'items')).toEqual({
      status: 401,
      headers: {
        'Content-Type': 'application/problem+json',
        'Cache-Control': 'no-store',
        'WWW-Authenticate': 'Bearer realm="items"',
      },
      body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'authentication required' },
    });
  });

  it('answers a bad token with 401 invalid_token and its generic description', () => {
    expect(guardErrorResponse(new InvalidTokenError('expired'), 'items')).toEqual({
      status: 401,
      headers: {
        'Content-Type': 'application/problem+json',
        'Cache-Control': 'no-store',
        'WWW-Authenticate':
          'Bearer realm="items", error="invalid_token", error_description="the access token expired"',
      },
      body: {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'the access token expired',
        error: 'invalid_token',
      },
    });
  });

  it('answers an insufficient token with 403 and the scope attribute', () => {
    const response = guardErrorResponse(
      new InsufficientScopeError('requires scope items:delete', ['items:delete', 'items:read']),
      'items',
    );
    expect(response.status).toBe(403);
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="items", error="insufficient_scope", error_description="requires scope items:delete", ' +
        'scope="items:delete items:read"',
    );
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'requires scope items:delete',
      error: 'insufficient_scope',
    });
  });

  it('leaves the scope attribute out of a 403 whose requirement names no scope', () => {
    const response = guardErrorResponse(new InsufficientScopeError('requires role admin', []), 'items');
    expect(response.status).toBe(403);
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="items", error="insufficient_scope", error_description="requires role admin"',
    );
  });

  it('answers a request sending the token wrongly with 400 invalid_request', () => {
    const response = guardErrorResponse(
      new InvalidRequestError('more than one Authorization header'),
      'items',
    );
    expect(response).toEqual({
      status: 400,
      headers: {
        'Content-Type': 'application/problem+json',
        'Cache-Control': 'no-store',
        'WWW-Authenticate':
          'Bearer realm="items", error="invalid_request", error_description="more than one Authorization header"',
      },
      body: {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'more than one Authorization header',
        error: 'invalid_request',
      },
    });
  });

  it.each([
    ['jwks', 'signing keys unavailable', 7],
    ['revocation', 'revocation state unavailable', 30],
  ] as const)(
    'answers an unavailable %s with 503 and Retry-After, no challenge',
    (dependency, detail, retry) => {
      expect(guardErrorResponse(new GuardUnavailableError(dependency, retry), 'items')).toEqual({
        status: 503,
        headers: {
          'Content-Type': 'application/problem+json',
          'Cache-Control': 'no-store',
          'Retry-After': String(retry),
        },
        body: { type: 'about:blank', title: 'Service Unavailable', status: 503, detail },
      });
    },
  );

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.5:5432 SELECT * FROM tokens')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'kid')")],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['an object with a status', { status: 500, message: 'internal' }],
  ])('fails closed on %s: 401 invalid_token, never a 500, never its message', (_name, error) => {
    const response = guardErrorResponse(error, 'items');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'the access token is malformed',
      error: 'invalid_token',
    });
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="items", error="invalid_token", error_description="the access token is malformed"',
    );
  });

  it('quotes the realm and description as RFC 7235 quoted-strings', () => {
    const response = guardErrorResponse(
      new InvalidRequestError('a "quoted" \\ back\\slash\r\nInjected: header\u0000\u007f'),
      'it\'s "my" \\realm\n',
    );
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="it\'s \\"my\\" \\\\realm", error="invalid_request", ' +
        'error_description="a \\"quoted\\" \\\\ back\\\\slashInjected: header"',
    );
    // The JSON body carries the message as it is: JSON has its own escaping.
    expect(response.body.detail).toBe('a "quoted" \\ back\\slash\r\nInjected: header\u0000\u007f');
  });

  it('keeps every header value sendable when names are not ASCII (a throwing setHeader would be a 500)', () => {
    const response = guardErrorResponse(
      new InsufficientScopeError('requires role 管理员', ['items:読む', 'café']),
      'boutique ☕',
    );
    for (const [name, value] of Object.entries(response.headers)) {
      expect(() => validateHeaderValue(name, value)).not.toThrow();
      // RFC 6750 §3: realm, scope and error_description are ASCII.
      expect(value).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(response.body.detail).toBe('requires role 管理员');
  });

  it('quotes the scope attribute too', () => {
    const response = guardErrorResponse(new InsufficientScopeError('nope', ['a"b', 'c\\d']), 'items');
    expect(response.headers['WWW-Authenticate']).toContain('scope="a\\"b c\\\\d"');
  });

  it.each([
    new MissingTokenError(),
    new InvalidRequestError('x'),
    new InvalidTokenError('revoked'),
    new InsufficientScopeError('x', ['s']),
    new GuardUnavailableError('jwks', 5),
    new Error('unknown'),
  ])('always sends Cache-Control: no-store and a body of the fixed fields (%p)', (error) => {
    const response = guardErrorResponse(error, 'items');
    expect(response.headers['Cache-Control']).toBe('no-store');
    for (const key of Object.keys(response.body)) {
      expect(['type', 'title', 'status', 'detail', 'error']).toContain(key);
    }
    expect(response.body.status).toBe(response.status);
  });

  it('never echoes a cause attached to the error', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2ln';
    const error = new InvalidTokenError('malformed', undefined, { cause: new Error(`bad token ${token}`) });
    const response = guardErrorResponse(error, 'items');
    expect(JSON.stringify(response)).not.toContain(token);
  });
});
