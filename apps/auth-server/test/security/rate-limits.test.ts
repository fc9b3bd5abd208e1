import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  basic,
  createClient,
  expectOAuthError,
  postForm,
  type RawAnswer,
  rawRequest,
  type SecurityServer,
  startSecurityServer,
} from './security-fixture.js';

const PER_IP = 5;
const PER_CLIENT = 8;
const PASSWORD_PER_IP = 3;

/**
 * Black-box rate limits of the token endpoints (DESIGN.md "Rate limiting", OWASP ASVS 2.2.1 / 11.1.4
 * anti-automation, RFC 6585 §4): 429 with an RFC 6749-shaped body, Retry-After and RateLimit headers; per
 * client address, per authenticated client, and per address on the password grant. Every test sends from
 * its own loopback address (127.0.0.0/8), so each starts with fresh per-address budgets.
 */
describe('security: token endpoint rate limits', () => {
  let fixture: SecurityServer;
  let url: string;
  let service: string;
  let budgetSecret: string;
  let nextAddress = 10;

  beforeAll(async () => {
    fixture = await startSecurityServer({
      RATE_LIMIT_TOKEN_PER_IP: String(PER_IP),
      RATE_LIMIT_TOKEN_PER_CLIENT: String(PER_CLIENT),
      RATE_LIMIT_PASSWORD_PER_IP: String(PASSWORD_PER_IP),
    });
    url = fixture.server.url;
    service = basic('demo-service', fixture.secretOf('demo-service'));
    // Its own client for the per-client budget, so no other test here spends it.
    budgetSecret = await createClient(fixture, {
      id: 'sec-budget-service',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
    });
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const freshAddress = () => `127.0.1.${nextAddress++}`;
  const clientCredentials = (from: string, authorization = service, path = '/token') =>
    postForm(url, path, { grant_type: 'client_credentials' }, { authorization, localAddress: from });
  /** RFC 6585 §4 with the body oauth-too-many-requests.ts writes and draft-ietf-httpapi-ratelimit-headers. */
  const expectTooManyRequests = (answer: RawAnswer, policy: string) => {
    expectOAuthError(answer, 429, 'temporarily_unavailable');
    const retryAfter = Number(answer.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(answer.headers['ratelimit-policy']).toMatch(new RegExp(`"${policy}";q=\\d+;w=60`));
    expect(answer.headers.ratelimit).toMatch(new RegExp(`"${policy}";r=0;t=\\d+`));
  };

  it('RFC 6585 §4 / OWASP ASVS 11.1.4: limits one client address to RATE_LIMIT_TOKEN_PER_IP a minute', async () => {
    const from = freshAddress();
    for (let request = 1; request <= PER_IP; request++) {
      const answer = await clientCredentials(from);
      expect(answer.status).toBe(200);
      expect(answer.headers['ratelimit-policy']).toContain(`"token-ip";q=${PER_IP};w=60`);
      expect(answer.headers.ratelimit).toContain(`"token-ip";r=${PER_IP - request};`);
    }
    expectTooManyRequests(await clientCredentials(from), 'token-ip');
  });

  it('DESIGN "Rate limiting": the limit is per address: another address is still served', async () => {
    const limited = freshAddress();
    for (let request = 0; request < PER_IP; request++) await clientCredentials(limited, basic('x', 'y'));
    expectTooManyRequests(await clientCredentials(limited), 'token-ip');
    expect((await clientCredentials(freshAddress())).status).toBe(200);
  });

  it('OWASP ASVS 11.1.4: counts the endpoint family as oidc-provider routes it (/TOKEN, /token/, revocation, introspection) in one budget', async () => {
    const from = freshAddress();
    for (const path of ['/TOKEN', '/token/', '/token/revocation', '/token/introspection', '/Token']) {
      const answer = await rawRequest(url, path, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=x',
        localAddress: from,
      });
      expect({ path, counted: answer.headers['ratelimit-policy'] }).toEqual({
        path,
        counted: expect.stringContaining('"token-ip"'),
      });
    }
    expectTooManyRequests(await clientCredentials(from, service, '/token/revocation'), 'token-ip');
  });

  it('OWASP ASVS 11.1.4: refused input counts too: malformed, oversized and query-string requests spend the budget', async () => {
    const from = freshAddress();
    const send = (path: string, body: string) =>
      rawRequest(url, path, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: service },
        body,
        localAddress: from,
      });
    const refused = [
      await send('/token', 'grant_type=client_credentials&scope=%ZZ'),
      await send('/token', `grant_type=client_credentials&padding=${'a'.repeat(20_000)}`),
      await send('/token?client_secret=x', 'grant_type=client_credentials'),
      await send('/token', 'grant_type=client_credentials&grant_type=password'),
      await send('/token', ''),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([400, 413, 400, 400, 400]);
    expectTooManyRequests(await clientCredentials(from), 'token-ip');
  });

  it('RFC 6585 §4: limits password attempts per address, all usernames together (RATE_LIMIT_PASSWORD_PER_IP)', async () => {
    const from = freshAddress();
    const web = basic('demo-web', fixture.secretOf('demo-web'));
    const attempt = (username: string) =>
      postForm(
        url,
        '/token',
        { grant_type: 'password', username, password: 'guess-123456' },
        { authorization: web, localAddress: from },
      );
    for (let request = 0; request < PASSWORD_PER_IP; request++) {
      expectOAuthError(await attempt(`user-${request}`), 400, 'invalid_grant');
    }
    const refused = await attempt('alice');
    expectOAuthError(refused, 429, 'temporarily_unavailable');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('DESIGN "Rate limiting": limits one client across addresses, and strangers cannot spend its budget', async () => {
    const budget = basic('sec-budget-service', budgetSecret);
    // Wrong secrets naming the client, from elsewhere: refused, and not charged to it.
    const stranger = freshAddress();
    for (let request = 0; request < 3; request++) {
      const answer = await clientCredentials(stranger, basic('sec-budget-service', `wrong-${request}`));
      expect(answer.status).toBe(401);
    }
    // Its whole budget, from two addresses (each under the per-address limit).
    const addresses = [freshAddress(), freshAddress()];
    for (let request = 0; request < PER_CLIENT; request++) {
      const answer = await clientCredentials(addresses[request % 2]!, budget);
      expect(answer.status).toBe(200);
    }
    expectTooManyRequests(await clientCredentials(freshAddress(), budget), 'token-client');
  });
});
