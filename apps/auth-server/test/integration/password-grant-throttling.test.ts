import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEventInput } from '@portcullis/db';
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
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'web-app', secret: 'web-app-secret-0123456789abcdef0123456789abc' };

/**
 * What a client sees of a throttled password grant, over HTTP through the real oidc-provider: 429 with
 * Retry-After and an RFC 6749 body, not invalid_grant. The container does not wire the throttle yet, so the
 * test registers the password grant with a throttled authenticator on the container's provider.
 */
describe('password grant with brute-force protection', () => {
  let server: TestAuthServer;
  let clock = Date.UTC(2030, 0, 1);
  const events: AuditEventInput[] = [];

  beforeAll(async () => {
    server = await startTestAuthServer();
    await server.addUser({ username: 'alice', password: 'correct horse battery' });
    await server.addClient({
      ...web,
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: true,
    });
    const { config } = server;
    const keyRing = server.container.providerHost.keyRing();
    const hasher = await createPasswordHasher(config.argon2);
    const authenticate = createThrottledAuthenticator({
      authenticate: createUserAuthenticator(server.prisma, hasher, () => {}),
      lockout: createLoginLockout(server.prisma, { secret: randomBytes(32), threshold: 2, now: () => clock }),
      perIpLimiter: createRateLimiter({
        keyPrefix: 'unused:',
        name: 'password-ip',
        points: 100,
        durationSeconds: 60,
      }),
      audit: (event) => events.push(event),
    });
    server.container.providerHost.current().registerGrantType(
      passwordGrantType,
      createPasswordGrantHandler({
        authenticate,
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

  const login = (password: string) =>
    server.token({ grant_type: 'password', username: 'alice', password, scope: 'items:read' }, web);

  it('answers 429 with Retry-After once the username is locked for this address, even for the right password', async () => {
    expect((await login('wrong 1')).body).toMatchObject({ error: 'invalid_grant' });
    expect((await login('wrong 2')).body).toMatchObject({ error: 'invalid_grant' });

    const refused = await login('correct horse battery');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'too many login attempts; retry later',
    });
    expect(events).toEqual([expect.objectContaining({ type: 'login.throttled', subject: 'alice' })]);
    expect(JSON.stringify(events)).not.toContain('correct horse battery');
  });

  it('lets the right password through once the lock is over', async () => {
    clock += 1000;
    const response = await login('correct horse battery');
    expect(response.status).toBe(200);
    expect(typeof response.body.access_token).toBe('string');
  });

  it('keeps a malformed request a 400 that counts no failure', async () => {
    const missing = await server.token({ grant_type: 'password', username: 'alice' }, web);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    expect(await server.prisma.loginThrottle.count()).toBe(0);
  });
});
