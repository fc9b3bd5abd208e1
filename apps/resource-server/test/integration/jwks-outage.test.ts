import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { createTestSigningKey, forgeAccessToken } from '../../../../test/support/token-forge.js';
import { testResource } from '../../../auth-server/test/support/test-environment.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The auth server goes away; the resource server keeps validating with the keys it has for the configured
 * window (default 6 h — jose's own cache gives up after 10 min), then fails closed with 503. Time is moved
 * with an injected clock; tokens live a day so that only the key cache's age matters.
 */
describe('resource server while the auth server is down', () => {
  let stack: TestStack;
  let offset = 0;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack(
      { ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600) },
      { MAX_TOKEN_AGE_SECONDS: String(24 * 3600) },
      { now: () => Date.now() + offset },
    );
    ({ token } = await stack.userToken('alice', ['admin']));
    expect((await stack.api.request('/me', { token })).status).toBe(200);
    await stack.auth.stopListening();
  }, 30_000);
  afterAll(async () => stack?.close());

  const readiness = async () => (await (await stack.api.request('/readyz')).json()) as { checks: object };

  it('keeps accepting tokens past jose’s 10-minute cache age', async () => {
    offset = 11 * MINUTE;
    expect((await stack.api.request('/me', { token })).status).toBe(200);
    expect((await stack.api.request('/items', { token })).status).toBe(200);
    expect(await readiness()).toMatchObject({ checks: { jwks: 'ok' } });
  });

  it('keeps accepting them five hours into the outage', async () => {
    offset = 5 * HOUR;
    expect((await stack.api.request('/me', { token })).status).toBe(200);
  });

  it('refuses a token with a known kid but a forged signature (401)', async () => {
    const stranger = await createTestSigningKey('ES256', decodeProtectedHeader(token).kid);
    const forged = await forgeAccessToken(stranger, {
      issuer: stack.auth.config.issuer,
      audience: testResource,
    });
    const response = await stack.api.request('/me', { token: forged });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 503, never 200, for a kid it cannot look up during the outage', async () => {
    // It could be a key rotated in meanwhile: 503 + Retry-After rather than a 401 for a maybe-good token.
    const stranger = await createTestSigningKey('ES256');
    const forged = await forgeAccessToken(stranger, {
      issuer: stack.auth.config.issuer,
      audience: testResource,
    });
    const response = await stack.api.request('/me', { token: forged });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('fails closed with 503 and Retry-After once the keys are older than the window', async () => {
    offset = 6 * HOUR + MINUTE;
    const response = await stack.api.request('/me', { token });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect((await stack.api.request('/readyz')).status).toBe(503);
    expect(await readiness()).toMatchObject({ checks: { jwks: 'unavailable' } });
  });
});
