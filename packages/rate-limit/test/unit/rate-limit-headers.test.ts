import { describe, expect, it } from '@jest/globals';
import { type RateLimitResult, rateLimitHeaders } from '../../src/index.js';

const result = (name: string, overrides: Partial<RateLimitResult> = {}): RateLimitResult => ({
  allowed: true,
  limit: 100,
  remaining: 42,
  resetSeconds: 17,
  retryAfterSeconds: 0,
  policy: { name, limit: 100, windowSeconds: 60 },
  store: 'redis',
  ...overrides,
});

describe('rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers-10)', () => {
  it('writes one structured-field list member per policy', () => {
    expect(rateLimitHeaders([result('token-ip')])).toEqual({
      'RateLimit-Policy': '"token-ip";q=100;w=60',
      RateLimit: '"token-ip";r=42;t=17',
    });
  });

  it('joins several policies and sets Retry-After to the longest refusal, with t equal to it', () => {
    const headers = rateLimitHeaders([
      result('ip'),
      result('client', { allowed: false, remaining: 0, resetSeconds: 30, retryAfterSeconds: 30 }),
      result('user', { allowed: false, remaining: 0, resetSeconds: 5, retryAfterSeconds: 5 }),
    ]);
    expect(headers).toEqual({
      'RateLimit-Policy': '"ip";q=100;w=60, "client";q=100;w=60, "user";q=100;w=60',
      RateLimit: '"ip";r=42;t=17, "client";r=0;t=30, "user";r=0;t=5',
      'Retry-After': '30',
    });
  });

  it('escapes a policy name as an sf-string', () => {
    expect(rateLimitHeaders([result('GET /items/:id')]).RateLimit).toBe('"GET /items/:id";r=42;t=17');
  });

  it('needs at least one result', () => {
    expect(() => rateLimitHeaders([])).toThrow(TypeError);
  });
});
