import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type RevocationStack, startRevocationStack } from '../support/revocation-stack.js';

/** A revocation through the admin API reaches the resource server's mirror well within this. */
const PROPAGATION_BOUND_MS = 5000;

/**
 * The guard remembers verified tokens (packages/guard verified-token-cache.ts), so a token used again is
 * not verified again; its revocation must still be refused by the usual path, the in-memory mirror, at
 * once. Real auth server, real Redis (this run's own key prefix).
 */
describe('resource server: a cached token is still checked for revocation on every request', () => {
  const layout = uniqueLayout();
  let stack: RevocationStack;

  beforeAll(async () => {
    stack = await startRevocationStack({ url: REDIS_URL, keyPrefix: layout.keyPrefix });
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    const redis = await connectedClient();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  /** Uses the token `times` times, so it is verified once and then served from the cache. */
  const useRepeatedly = async (token: string, times = 5) => {
    for (let index = 0; index < times; index += 1) expect(await stack.statusOf(token)).toBe(200);
  };

  it('refuses a token revoked (by jti) after it was cached, while its neighbour stays accepted', async () => {
    const { token: victim } = await stack.userToken('cached-jti-victim', ['viewer']);
    const { token: sibling } = await stack.userToken('cached-jti-sibling', ['viewer']);
    await useRepeatedly(victim);
    await useRepeatedly(sibling);

    await stack.revoke({ kind: 'jti', value: decodeJwt(victim).jti as string });

    await stack.waitForStatus(victim, 401, { timeoutMs: PROPAGATION_BOUND_MS, allowed: [200, 401] });
    const refused = await stack.api.request('/me', { token: victim });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await refused.json()).toMatchObject({ detail: 'the access token has been revoked' });
    // Stays refused: a refusal is never cached as a pass, and the cached pass is never used past the check.
    for (let index = 0; index < 3; index += 1) expect(await stack.statusOf(victim)).toBe(401);
    await useRepeatedly(sibling, 2);
  });

  it('refuses every cached token of a user revoked as a whole', async () => {
    const { token, subject } = await stack.userToken('cached-user-victim', ['viewer']);
    await useRepeatedly(token);

    await stack.revoke({ kind: 'user', value: subject });

    await stack.waitForStatus(token, 401, { timeoutMs: PROPAGATION_BOUND_MS, allowed: [200, 401] });
  });

  it('serves a cached token through the whole pipeline: rate-limit headers, body and all', async () => {
    const token = await stack.serviceToken('cached-service', ['viewer'], ['items:read']);
    const bodies: unknown[] = [];
    const remaining: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await stack.api.request('/me', { token });
      expect(response.status).toBe(200);
      bodies.push(await response.json());
      remaining.push(Number(/;r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]));
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    // Every request is counted, cached or not.
    expect(remaining[1]).toBe((remaining[0] as number) - 1);
    expect(remaining[2]).toBe((remaining[0] as number) - 2);
  });
});
