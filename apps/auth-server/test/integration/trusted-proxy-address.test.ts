import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRateLimiter } from '@portcullis/rate-limit';
import { createUserAuthenticator } from '../../src/credentials/authenticate-user.js';
import { createLoginLockout } from '../../src/credentials/login-lockout.js';
import { createPasswordHasher } from '../../src/credentials/password-hasher.js';
import { createThrottledAuthenticator } from '../../src/credentials/throttled-authenticator.js';
import {
  createPasswordGrantHandler,
  passwordGrantParameters,
  passwordGrantType,
} from '../../src/oidc/password-grant.js';
import { createResourceServerResolver, defaultResourceFor } from '../../src/oidc/resource-servers.js';
import { basicAuthorization, startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'web-app', secret: 'web-app-secret-0123456789abcdef0123456789abc' };
const PROXY_SAW = '198.51.100.77';

/**
 * With TRUST_PROXY on, the address oidc-provider's Koa app gives the password grant (ctx.ip) is the
 * X-Forwarded-For entry our proxy appended — not the leftmost one, which the caller writes. Otherwise a
 * caller escapes the username+address lockout (and every per-address limit) by rotating that entry.
 * The lockout's clock is frozen, so a lock lasts as long as the test needs.
 */
describe('the auth server behind a trusted proxy', () => {
  let server: TestAuthServer;
  const clock = Date.UTC(2030, 0, 1);

  beforeAll(async () => {
    server = await startTestAuthServer({ TRUST_PROXY: 'true' });
    await server.addUser({ username: 'alice', password: 'correct horse battery' });
    await server.addClient({ ...web, grantTypes: ['password'], scopes: ['items:read'], firstParty: true });
    const { config } = server;
    const keyRing = server.container.providerHost.keyRing();
    const hasher = await createPasswordHasher(config.argon2);
    server.container.providerHost.current().registerGrantType(
      passwordGrantType,
      createPasswordGrantHandler({
        authenticate: createThrottledAuthenticator({
          authenticate: createUserAuthenticator(server.prisma, hasher, () => {}),
          lockout: createLoginLockout(server.prisma, {
            secret: randomBytes(32),
            threshold: 2,
            now: () => clock,
          }),
          perIpLimiter: createRateLimiter({
            keyPrefix: 'unused:',
            name: 'password-ip',
            points: 100,
            durationSeconds: 60,
          }),
          audit: () => {},
        }),
        defaultResource: (scope) => defaultResourceFor(config, scope),
        getResourceServerInfo: createResourceServerResolver({
          resources: config.resources,
          scopes: config.scopes,
          adminResource: config.admin.resource,
          signingAlg: keyRing.signingAlg,
          signingKid: keyRing.signingKid,
        }),
      }),
      passwordGrantParameters,
    );
  });
  afterAll(() => server?.close());

  async function login(password: string, forwardedFor: string) {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(web.id, web.secret),
        'x-forwarded-for': forwardedFor,
      },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password, scope: 'items:read' }),
    });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  }

  it('keeps the lock when the caller rotates the leftmost X-Forwarded-For entry', async () => {
    expect((await login('wrong 1', `203.0.113.1, ${PROXY_SAW}`)).body.error).toBe('invalid_grant');
    expect((await login('wrong 2', `203.0.113.2, ${PROXY_SAW}`)).body.error).toBe('invalid_grant');
    for (const spoofed of ['203.0.113.3', '10.9.8.7', '2001:db8::1']) {
      const refused = await login('correct horse battery', `${spoofed}, ${PROXY_SAW}`);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('temporarily_unavailable');
    }
  });

  it('keeps addresses our proxy saw apart: another client address is not locked', async () => {
    const other = await login('correct horse battery', `${PROXY_SAW}, 198.51.100.78`);
    expect(other.status).toBe(200);
  });
});
