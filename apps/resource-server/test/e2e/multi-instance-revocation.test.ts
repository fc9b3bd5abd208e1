import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { demoClient, REQUEST_BOUND_MS, revokeAsClient, revokeThroughAdmin } from '../support/cluster-http.js';
import { insecure } from '../support/multi-instance-cluster.js';
import { type RevocationCluster, startRevocationCluster } from '../support/revocation-cluster.js';
import { expectStatusEverywhere } from '../support/status-polling.js';

/**
 * Issue 5's proof with the built servers as separate processes: two auth servers answering for one issuer
 * (as behind a load balancer) and two resource servers, sharing one database and one Redis. A revocation
 * through either auth server — by an admin, or by the client itself at RFC 7009 — is refused by both
 * resource servers, and by nothing else. (Redis faults: multi-instance-redis-faults.test.ts.)
 */
describe('revocation across two auth servers and two resource servers (processes)', () => {
  let setup: RevocationCluster;

  beforeAll(async () => {
    setup = await startRevocationCluster();
  }, 60_000);
  afterAll(() => setup?.close(), 30_000);

  it('an admin revocation through either auth server is refused by both resource servers', async () => {
    const { authA, authB, resource, admin } = setup;
    const victim = await setup.serviceToken(authA);
    const bystander = await setup.serviceToken(authB);
    await expectStatusEverywhere(resource, [victim, bystander], 200);

    await revokeThroughAdmin(authA, admin, { kind: 'token', value: victim });
    await setup.expectRefused(victim);
    await expectStatusEverywhere(resource, [bystander], 200);

    // A user, through the other auth server: the tokens both instances issued die, nobody else's.
    const carolFromA = await setup.webLogin(authA, 'carol');
    const carolFromB = await setup.webLogin(authB, 'carol');
    const bob = await setup.webLogin(authA, 'bob');
    await expectStatusEverywhere(
      resource,
      [carolFromA.accessToken, carolFromB.accessToken, bob.accessToken],
      200,
    );

    await revokeThroughAdmin(authB, admin, { kind: 'user', value: decodeJwt(carolFromA.accessToken).sub! });
    await setup.expectRefused(carolFromA.accessToken);
    await setup.expectRefused(carolFromB.accessToken);
    await expectStatusEverywhere(resource, [bob.accessToken, bystander], 200);
    await setup.expectAllRevokedRefused();
  }, 30_000);

  it('a client revoking its own tokens at RFC 7009 on one auth server is refused by both resource servers', async () => {
    const { authA, authB, resource, cluster } = setup;
    const service = demoClient(cluster.credentials, 'demo-service');
    const web = demoClient(cluster.credentials, 'demo-web');
    const own = await setup.serviceToken(authA);
    const login = await setup.webLogin(authA, 'bob');
    await expectStatusEverywhere(resource, [own, login.accessToken], 200);

    // Another client's token: RFC 7009 §2.2's 200 and no effect — checked once the revocation published
    // after it on the same channel has arrived.
    await revokeAsClient(authB, service, login.accessToken);
    await revokeAsClient(authB, service, own);
    await setup.expectRefused(own);
    await expectStatusEverywhere(resource, [login.accessToken], 200);

    // Its refresh token: the whole grant goes, with the access token issued under it, at both instances.
    await revokeAsClient(authB, web, login.refreshToken);
    await setup.expectRefused(login.accessToken);
    for (const instance of [authA, authB]) {
      const refreshed = await oauth.refreshTokenGrantRequest(
        instance.as,
        web.client,
        web.auth,
        login.refreshToken,
        {
          ...insecure,
          signal: AbortSignal.timeout(REQUEST_BOUND_MS),
        },
      );
      expect(refreshed.status).toBe(400);
      expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
    }
    await setup.expectAllRevokedRefused();
  }, 30_000);
});
