import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { createTestSigningKey, forgeAccessToken } from '../../../../test/support/token-forge.js';
import { signedWithOurKey } from '../../../auth-server/test/support/oauth-endpoints.js';
import { otherResource, testResource } from '../../../auth-server/test/support/test-environment.js';
import { type RevocationStack, startRevocationStack } from '../support/revocation-stack.js';

/** Sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

const refusals = 'portcullis_token_verification_failures_total';

/**
 * The resource server's metrics after real requests through the real guard: refusals by reason (expired,
 * wrong audience, unknown key, missing token, revoked), the per-subject 429 by limit, requests by route
 * template, the revocation mirror's state and dependency_up — with the shared Redis (this run's own key
 * prefix) and a real auth server issuing and revoking.
 */
describe('resource server metrics', () => {
  const layout = uniqueLayout();
  let stack: RevocationStack;
  /** Every token this test sent: none may show in a scrape. */
  const tokens: string[] = [];

  beforeAll(async () => {
    stack = await startRevocationStack(
      { url: REDIS_URL, keyPrefix: layout.keyPrefix },
      { RATE_LIMIT_ROUTES: 'GET /items/:id=2' },
    );
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    const redis = await connectedClient();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  const scrape = () => stack.api.container.metrics.scrape();
  const status = async (path: string, token?: string) => {
    if (token) tokens.push(token);
    const response = await stack.api.request(path, { token });
    await response.arrayBuffer();
    return response.status;
  };
  /** The claims of a good token of the stack's auth server, changed as given, signed with its own key. */
  const resigned = async (changes: Record<string, unknown>) => {
    const { token } = await stack.userToken(`metrics-${randomUUID()}`, ['viewer']);
    return signedWithOurKey(stack.auth, { ...decodeJwt(token), ...changes });
  };

  it('counts refusals by reason, never by token', async () => {
    const before = await scrape();
    const { token } = await stack.userToken(`metrics-${randomUUID()}`, ['viewer']);
    expect(await status('/me', token)).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect(await status('/me', await resigned({ iat: now - 600, exp: now - 300 }))).toBe(401);
    expect(await status('/me', await resigned({ aud: otherResource }))).toBe(401);
    const stranger = await createTestSigningKey();
    const forged = await forgeAccessToken(stranger, {
      issuer: stack.auth.config.issuer,
      audience: testResource,
    });
    expect(await status('/me', forged)).toBe(401);
    expect(await status('/me')).toBe(401);

    const text = await scrape();
    const added = (reason: string) => total(text, refusals, { reason }) - total(before, refusals, { reason });
    expect(added('expired')).toBe(1);
    expect(added('wrong_audience')).toBe(1);
    expect(added('unknown_key')).toBe(1);
    expect(added('missing_token')).toBe(1);
    expect(
      total(text, 'portcullis_http_requests_total', { method: 'GET', route: '/me', status: '200' }),
    ).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: '/me', status: '401' })).toBe(4);
  });

  it('counts a revoked token and shows the mirror holding it', async () => {
    const { token } = await stack.userToken(`metrics-${randomUUID()}`, ['viewer']);
    tokens.push(token);
    await stack.revoke({ kind: 'jti', value: decodeJwt(token).jti as string });
    await stack.waitForStatus(token, 401, { timeoutMs: 5000, allowed: [200, 401] });

    const text = await scrape();
    expect(total(text, refusals, { reason: 'revoked' })).toBeGreaterThanOrEqual(1);
    expect(total(text, 'portcullis_revocation_mirror_fresh')).toBe(1);
    expect(total(text, 'portcullis_revocation_mirror_subscribed')).toBe(1);
    expect(total(text, 'portcullis_revocation_mirror_entries')).toBeGreaterThanOrEqual(1);
    expect(total(text, 'portcullis_revocation_mirror_last_sync_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('counts the per-subject 429 by limit', async () => {
    const { token } = await stack.userToken(`metrics-${randomUUID()}`, ['viewer']);
    const path = `/items/${randomUUID()}`;
    expect(await status(path, token)).not.toBe(429);
    expect(await status(path, token)).not.toBe(429);
    expect(await status(path, token)).toBe(429);

    const text = await scrape();
    expect(total(text, 'portcullis_rate_limit_rejections_total', { limit: 'GET /items/:id' })).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: '/items/:id', status: '429' })).toBe(1);
    expect(text).not.toContain(path);
  });

  it('reports every dependency up, and no token or subject', async () => {
    const text = await scrape();
    for (const dependency of ['postgres', 'jwks', 'revocations', 'redis']) {
      expect({ dependency, up: total(text, 'portcullis_dependency_up', { dependency }) }).toEqual({
        dependency,
        up: 1,
      });
    }
    expect(total(text, 'portcullis_dependency_up', { service: 'resource-server' })).toBe(4);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(text).not.toContain('metrics-');
  });
});
