import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { revocationsCompleteKey } from '@portcullis/revocation';
import { decodeJwt } from 'jose';
import {
  callResource,
  clientCredentialsRequest,
  demoClient,
  revokeAsClient,
  revokeThroughAdmin,
} from '../support/cluster-http.js';
import { type ResourceInstance, stopProcess } from '../support/multi-instance-cluster.js';
import {
  RECOVERY_BOUND_MS,
  type RevocationCluster,
  STALENESS_SECONDS,
  startRevocationCluster,
} from '../support/revocation-cluster.js';
import {
  expectStatusEverywhere,
  type SeenStatuses,
  statusesOf,
  waitForStatusEverywhere,
  watchTokens,
} from '../support/status-polling.js';

/** Never a 200, and no request that failed or hung past REQUEST_BOUND_MS. */
function expectNoRevokedAccepted(seen: SeenStatuses): void {
  expect(Object.keys(seen).filter((status) => status !== '401' && status !== '503')).toEqual([]);
  expect(seen['401']).toBeGreaterThan(0);
}

/**
 * Issue 5's fault proof with the built servers as processes (two auth servers, two resource servers) on a
 * redis-server of the test's own, flushed, killed, restarted empty and paused here — the shared Redis is
 * never touched. Throughout, a sentinel polls every revoked token on both resource servers: none is ever
 * accepted, and no request hangs (each is bounded by REQUEST_BOUND_MS).
 */
describe('revocation across processes when Redis is flushed, killed or hung', () => {
  let setup: RevocationCluster;

  beforeAll(async () => {
    setup = await startRevocationCluster();
    const { authA, authB, admin, cluster } = setup;
    // One revocation of each kind the fault tests must not forget: a jti, a user, a grant (RFC 7009).
    const token = await setup.serviceToken(authB);
    await revokeThroughAdmin(authA, admin, { kind: 'token', value: token });
    await setup.expectRefused(token);
    const carol = await setup.webLogin(authA, 'carol');
    await revokeThroughAdmin(authB, admin, { kind: 'user', value: decodeJwt(carol.accessToken).sub! });
    await setup.expectRefused(carol.accessToken);
    const bob = await setup.webLogin(authB, 'bob');
    await revokeAsClient(authA, demoClient(cluster.credentials, 'demo-web'), bob.refreshToken);
    await setup.expectRefused(bob.accessToken);
  }, 60_000);
  afterAll(() => setup?.close(), 30_000);

  it('Redis flushed: nothing revoked is forgotten, by running resource servers or by one started after', async () => {
    const { authA, authB, resource, admin, revoked, cluster } = setup;
    const good = await setup.serviceToken(authB);
    await expectStatusEverywhere(resource, [good], 200);
    const sentinel = watchTokens(resource, () => revoked);
    let third: ResourceInstance | undefined;
    try {
      await setup.withOwnRedis((client) => client.flushall());
      // The running mirrors keep what they hold, and stay subscribed: nothing changes for them.
      await setup.expectAllRevokedRefused();
      await expectStatusEverywhere(resource, [good], 200);

      // A resource server starting now knows only what Redis holds. Until the auth servers have copied
      // PostgreSQL back in it may answer 503, never 200 for a revoked token.
      third = await cluster.startResourceServer('resource-3');
      for (const token of revoked) {
        await waitForStatusEverywhere([third], token, 401, {
          timeoutMs: RECOVERY_BOUND_MS,
          allowedBefore: [503],
        });
      }
      await waitForStatusEverywhere([third], good, 200, { allowedBefore: [503] });
      expect(
        await setup.withOwnRedis((client) => client.exists(revocationsCompleteKey(cluster.keyPrefix))),
      ).toBe(1);
      expect(await setup.readiness(third)).toEqual({
        status: 200,
        checks: expect.objectContaining({ revocations: 'ok' }),
      });

      // A revocation after the flush reaches all three.
      const everyServer = [...resource, third];
      const fresh = await setup.serviceToken(authA);
      await expectStatusEverywhere(everyServer, [fresh], 200);
      await revokeThroughAdmin(authB, admin, { kind: 'token', value: fresh });
      await setup.expectRefused(fresh, everyServer);
      await setup.expectAllRevokedRefused(everyServer);
      await expectStatusEverywhere(everyServer, [good], 200);
      expect(await stopProcess(third.process)).toBe(0);
    } finally {
      expectNoRevokedAccepted(await sentinel.stop());
      if (third) await stopProcess(third.process);
    }
  }, 30_000);

  it('Redis killed: served from the mirror, then 503 after the window, then whole again once restarted empty', async () => {
    const { authA, authB, resource, admin, revoked, redis } = setup;
    const good = await setup.serviceToken(authA);
    const revokedWhileDown = await setup.serviceToken(authB);
    await expectStatusEverywhere(resource, [good, revokedWhileDown], 200);
    for (const server of resource) expect((await setup.readiness(server)).status).toBe(200);
    const sentinel = watchTokens(resource, () => revoked);
    try {
      const killedAt = Date.now();
      await redis.kill();
      const first = await statusesOf(resource, good);
      // Within the window the mirror answers (checked only if this ran quickly enough to be in it).
      if (Date.now() - killedAt < (STALENESS_SECONDS * 1000) / 2) expect(first).toEqual([200, 200]);
      await setup.expectAllRevokedRefused();

      await waitForStatusEverywhere(resource, good, 503, { timeoutMs: 10_000, allowedBefore: [200] });
      // Counted from the start of the mirror's last successful reload: at most one reconcile interval (1 s)
      // before the kill.
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual((STALENESS_SECONDS - 1) * 1000 - 100);
      for (const server of resource) {
        const closed = await callResource(server, good);
        expect(closed.status).toBe(503);
        expect(Number(closed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await setup.readiness(server)).toEqual({
          status: 503,
          checks: expect.objectContaining({ revocations: 'unavailable' }),
        });
        // A token the mirror knows is revoked is still a 401, not a 503.
        const refused = await callResource(server, revoked[0]);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      }

      // Recorded in PostgreSQL while Redis is down: the admin API answers 201, in bounded time.
      await revokeThroughAdmin(authA, admin, { kind: 'token', value: revokedWhileDown });
      expect(await statusesOf(resource, revokedWhileDown)).toEqual([503, 503]);
      revoked.push(revokedWhileDown);

      await redis.start(); // empty: it keeps nothing on disk
      await Promise.all([
        waitForStatusEverywhere(resource, good, 200, { timeoutMs: RECOVERY_BOUND_MS, allowedBefore: [503] }),
        waitForStatusEverywhere(resource, revokedWhileDown, 401, {
          timeoutMs: RECOVERY_BOUND_MS,
          allowedBefore: [503],
        }),
      ]);
      for (const server of resource) {
        expect(await setup.readiness(server)).toEqual({
          status: 200,
          checks: expect.objectContaining({ revocations: 'ok' }),
        });
      }
      await setup.expectAllRevokedRefused();
    } finally {
      expectNoRevokedAccepted(await sentinel.stop());
    }
  }, 30_000);

  it('Redis paused: every request still answers in bounded time, and a revocation made meanwhile arrives on resume', async () => {
    const { authA, authB, resource, admin, revoked, redis, cluster } = setup;
    const good = await setup.serviceToken(authA);
    const revokedWhileHung = await setup.serviceToken(authB);
    await expectStatusEverywhere(resource, [good, revokedWhileHung], 200);
    const sentinel = watchTokens(resource, () => revoked);
    try {
      const pausedAt = Date.now();
      redis.pause();
      try {
        // Each request is bounded by REQUEST_BOUND_MS (a hung one fails the test): the per-subject limit
        // waits for Redis at most its command timeout, then counts in memory.
        const first = await statusesOf(resource, good);
        if (Date.now() - pausedAt < (STALENESS_SECONDS * 1000) / 2) expect(first).toEqual([200, 200]);
        // The auth servers answer too: a token (its limits count in memory), and a revocation, recorded in
        // PostgreSQL (the broadcast gives up after the command timeout; the reseeder makes it good).
        const issued = await clientCredentialsRequest(
          authB,
          demoClient(cluster.credentials, 'demo-service'),
          'items:read',
        );
        expect(issued.status).toBe(200);
        await revokeThroughAdmin(authA, admin, { kind: 'token', value: revokedWhileHung });
      } finally {
        redis.resume();
      }
      // Within the window the mirrors could still answer 200 for it (they could not hear it); once Redis
      // answers they learn it: 401 everywhere, and never a 200 after.
      await Promise.all([
        waitForStatusEverywhere(resource, revokedWhileHung, 401, {
          timeoutMs: RECOVERY_BOUND_MS,
          allowedBefore: [200, 503],
        }),
        waitForStatusEverywhere(resource, good, 200, { timeoutMs: RECOVERY_BOUND_MS, allowedBefore: [503] }),
      ]);
      revoked.push(revokedWhileHung);
      await setup.expectAllRevokedRefused();
    } finally {
      expectNoRevokedAccepted(await sentinel.stop());
    }
  }, 30_000);

  it('Redis hung past the staleness window: resource servers fail closed rather than serve what they cannot hear', async () => {
    const { authA, authB, resource, admin, revoked, redis } = setup;
    const good = await setup.serviceToken(authA);
    const revokedWhileHung = await setup.serviceToken(authB);
    await expectStatusEverywhere(resource, [good, revokedWhileHung], 200);
    // The previous test's hang failed the mirrors' reloads: give them two reconcile intervals of a healthy
    // Redis, so the last successful reload is at most one interval old when the pause starts.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const sentinel = watchTokens(resource, () => revoked);
    try {
      const pausedAt = Date.now();
      redis.pause();
      try {
        await revokeThroughAdmin(authA, admin, { kind: 'token', value: revokedWhileHung });
        // The mirrors cannot hear it; for the window they may answer from memory, then they must refuse
        // to answer at all — for this token and every other they do not know to be revoked.
        await Promise.all([
          waitForStatusEverywhere(resource, good, 503, { timeoutMs: 10_000, allowedBefore: [200] }),
          waitForStatusEverywhere(resource, revokedWhileHung, 503, {
            timeoutMs: 10_000,
            allowedBefore: [200],
          }),
        ]);
        // Counted from the last time Redis answered: at most one reconcile interval (1 s) before the pause.
        expect(Date.now() - pausedAt).toBeGreaterThanOrEqual((STALENESS_SECONDS - 1) * 1000 - 100);
        for (const server of resource) {
          const closed = await callResource(server, good);
          expect(closed.status).toBe(503);
          expect(Number(closed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
          expect(await setup.readiness(server)).toEqual({
            status: 503,
            checks: expect.objectContaining({ revocations: 'unavailable' }),
          });
        }
      } finally {
        redis.resume();
      }
      // Past the window it is never accepted again: 503 until the mirrors are back in sync, then 401.
      await Promise.all([
        waitForStatusEverywhere(resource, revokedWhileHung, 401, {
          timeoutMs: RECOVERY_BOUND_MS,
          allowedBefore: [503],
        }),
        waitForStatusEverywhere(resource, good, 200, { timeoutMs: RECOVERY_BOUND_MS, allowedBefore: [503] }),
      ]);
      revoked.push(revokedWhileHung);
      await setup.expectAllRevokedRefused();
    } finally {
      expectNoRevokedAccepted(await sentinel.stop());
    }
  }, 30_000);
});
