import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueLayout } from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { type OwnRedisServer, ownRedisServer } from '../../../../test/support/own-redis-server.js';
import { type RevocationStack, startRevocationStack } from '../support/revocation-stack.js';
import { startTestResourceServer, type TestResourceServer } from '../support/test-resource-server.js';

/** A small window so the test sees the mirror go stale; the reconcile interval must be shorter. */
const MAX_STALENESS_SECONDS = 2;
const fastMirror = {
  REVOCATION_MAX_STALENESS_SECONDS: String(MAX_STALENESS_SECONDS),
  REVOCATION_RECONCILE_INTERVAL_SECONDS: '1',
};

interface Observation {
  status: number;
  retryAfter: string | null;
}

/**
 * Redis killed, restarted empty, or down at boot, with our own redis-server (DESIGN.md "Revocation"): the
 * resource server answers from its mirror for the staleness window, then 503 + Retry-After; once Redis is
 * back and an auth server has copied PostgreSQL into it, it serves again. A revoked token is refused at
 * every single request along the way: never a 200.
 */
describe('resource server when Redis dies and comes back empty', () => {
  const layout = uniqueLayout();
  let own: OwnRedisServer;
  let stack: RevocationStack;
  let late: TestResourceServer | undefined;
  let good: string;
  let revoked: string;

  beforeAll(async () => {
    own = await ownRedisServer();
    await own.start();
    stack = await startRevocationStack({ url: own.url, keyPrefix: layout.keyPrefix }, fastMirror);
    ({ token: good } = await stack.userToken('erin', ['viewer']));
    ({ token: revoked } = await stack.userToken('frank', ['viewer']));
    await stack.revoke({ kind: 'token', value: revoked });
    await stack.waitForStatus(revoked, 401, { allowed: [200, 401] });
  }, 30_000);
  afterAll(async () => {
    await late?.close();
    await stack?.close();
    await own?.kill();
  });

  const observe = async (token: string): Promise<Observation> => {
    const response = await stack.api.request('/me', { token });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  };
  const readiness = async () => {
    const response = await stack.api.request('/readyz');
    return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
  };
  /** Polls both tokens until the good one answers `status`: the revoked one must answer 401 every time. */
  const pollUntilGoodIs = async (status: number, timeoutMs: number): Promise<Observation> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      expect((await observe(revoked)).status).toBe(401);
      const seen = await observe(good);
      expect([200, 503]).toContain(seen.status);
      if (seen.status === status) return seen;
      if (Date.now() > deadline) throw new Error(`good token still ${seen.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('keeps answering from the mirror, then fails closed with 503 + Retry-After after the window', async () => {
    expect(await readiness()).toMatchObject({ status: 200, body: { checks: { revocations: 'ok' } } });

    const killedAt = Date.now();
    await own.kill();
    const first = await observe(good);
    // Within the window the mirror answers (checked only if this ran quickly enough to be in it).
    if (Date.now() - killedAt < (MAX_STALENESS_SECONDS * 1000) / 2) expect(first.status).toBe(200);

    const stale = await pollUntilGoodIs(503, 10_000);
    // Counted from the start of the mirror's last successful reload: at most one reconcile interval (1 s)
    // before the kill.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual((MAX_STALENESS_SECONDS - 1) * 1000 - 100);
    expect(Number(stale.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await readiness()).toMatchObject({
      status: 503,
      body: { checks: { revocations: 'unavailable' } },
    });
    // Still a 401, not a 503, for a token the mirror knows is revoked.
    const refused = await stack.api.request('/me', { token: revoked });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  }, 20_000);

  it('serves again once Redis restarted empty and the auth server restored it, forgetting nothing', async () => {
    await own.start();
    await pollUntilGoodIs(200, 15_000);
    expect(await readiness()).toMatchObject({ status: 200, body: { checks: { revocations: 'ok' } } });

    // A resource server starting now knows only what Redis holds: the revocation made before the restart
    // must be there again, copied from PostgreSQL by the auth server.
    late = await startTestResourceServer({
      DATABASE_URL: stack.auth.config.databaseUrl,
      ISSUER: stack.auth.config.issuer,
      AUDIENCE: stack.api.config.audience,
      JWKS_URI: `${stack.auth.url}/jwks`,
      REDIS_URL: own.url,
      REDIS_KEY_PREFIX: layout.keyPrefix,
      ...fastMirror,
    });
    expect(late.container.revocationMirror?.status().fresh).toBe(true);
    expect((await late.request('/me', { token: revoked })).status).toBe(401);
    expect((await late.request('/me', { token: good })).status).toBe(200);
  }, 20_000);

  it('hears revocations on the channel again after the restart', async () => {
    await stack.revoke({ kind: 'token', value: good });
    await stack.waitForStatus(good, 401, { allowed: [200, 401] });
    const lateStatus = async () => (await late?.request('/me', { token: good }))?.status;
    const deadline = Date.now() + 5000;
    for (let status = await lateStatus(); status !== 401; status = await lateStatus()) {
      expect(status).toBe(200);
      if (Date.now() > deadline) throw new Error('the second resource server did not hear the revocation');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, 20_000);
});

describe('resource server started while Redis is down', () => {
  const layout = uniqueLayout();
  let own: OwnRedisServer;
  let stack: RevocationStack;

  beforeAll(async () => {
    own = await ownRedisServer();
    // Both servers start against a port nothing listens on: neither may fail, nor wait long.
    stack = await startRevocationStack({ url: own.url, keyPrefix: layout.keyPrefix }, fastMirror);
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    await own?.kill();
  });

  it('answers 503 + Retry-After, never 200, until its mirror syncs; then enforces what was revoked meanwhile', async () => {
    const { token: good } = await stack.userToken('gina', ['viewer']);
    const { token: revoked } = await stack.userToken('hank', ['viewer']);
    // Recorded in PostgreSQL while Redis is down: the admin API still answers 201.
    await stack.revoke({ kind: 'token', value: revoked });

    const closed = await stack.api.request('/me', { token: good });
    expect(closed.status).toBe(503);
    expect(Number(closed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const readiness = await stack.api.request('/readyz');
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ checks: { revocations: 'unavailable' } });

    await own.start();
    // Until the mirror syncs both tokens get 503; after, the revoked one must be refused: never a 200.
    await stack.waitForStatus(revoked, 401, { timeoutMs: 15_000, allowed: [503, 401] });
    expect(await stack.statusOf(good)).toBe(200);
    expect((await stack.api.request('/readyz')).status).toBe(200);
  }, 20_000);
});
