import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { adminRequest } from '../../../auth-server/test/support/admin-tokens.js';
import { type RevocationStack, startRevocationStack } from '../support/revocation-stack.js';

/** A revocation through the admin API reaches the resource server's mirror well within this. */
const PROPAGATION_BOUND_MS = 5000;

/**
 * Revocation end to end (DESIGN.md "Revocation"), one kind at a time: the admin API records it, the auth
 * server writes and publishes it in Redis, the resource server's mirror hears it, and the token is refused
 * with 401 while every other token still passes. Real PostgreSQL, real Redis (this run's own key prefix).
 */
describe('resource server: revoked tokens are refused', () => {
  const layout = uniqueLayout();
  let stack: RevocationStack;
  /** Every token revoked so far: none may ever be accepted again. */
  const revoked: string[] = [];

  beforeAll(async () => {
    stack = await startRevocationStack({ url: REDIS_URL, keyPrefix: layout.keyPrefix });
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    const redis = await connectedClient();
    await deleteKeys(redis, layout.keyPrefix);
    redis.disconnect();
  });

  /** Waits for the 401 (200 is the only other answer allowed meanwhile), then remembers the token. */
  const expectRefused = async (token: string) => {
    await stack.waitForStatus(token, 401, { timeoutMs: PROPAGATION_BOUND_MS, allowed: [200, 401] });
    const response = await stack.api.request('/me', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    revoked.push(token);
  };
  const expectAllRevokedStillRefused = async () => {
    for (const token of revoked) expect(await stack.statusOf(token)).toBe(401);
  };
  const passwordLogin = async (username: string) => {
    const response = await stack.auth.token(
      { grant_type: 'password', username, password: `${username}-password`, scope: 'items:read' },
      { id: 'web', secret: 'web-secret' },
    );
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  };

  it('reports the mirror in /readyz', async () => {
    const response = await stack.api.request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      checks: { revocations: 'ok', jwks: 'ok', postgres: 'ok' },
    });
    expect(stack.api.container.revocationMirror?.status()).toMatchObject({ fresh: true, subscribed: true });
  });

  it('by token (jti): that token only', async () => {
    const { token: victim } = await stack.userToken('jti-victim', ['viewer']);
    const { token: sibling } = await stack.userToken('jti-sibling', ['viewer']);
    expect(await stack.statusOf(victim)).toBe(200);

    await stack.revoke({ kind: 'token', value: victim });

    await expectRefused(victim);
    expect(await stack.statusOf(sibling)).toBe(200);
  });

  it('by jti given as an id', async () => {
    const { token } = await stack.userToken('jti-by-id', ['viewer']);
    await stack.revoke({ kind: 'jti', value: decodeJwt(token).jti as string });
    await expectRefused(token);
  });

  it("by user: every token the user holds, not another user's", async () => {
    const { token: first, subject } = await stack.userToken('user-victim', ['viewer']);
    const { access_token: second } = await passwordLogin('user-victim');
    const { token: other } = await stack.userToken('user-other', ['viewer']);

    await stack.revoke({ kind: 'user', value: subject });

    await expectRefused(first);
    await expectRefused(second);
    expect(await stack.statusOf(other)).toBe(200);
  });

  it('by client: its client_credentials tokens, not those of another client', async () => {
    const victim = await stack.serviceToken('client-victim', ['viewer'], ['items:read']);
    const other = await stack.serviceToken('client-other', ['viewer'], ['items:read']);

    await stack.revoke({ kind: 'client', value: 'client-victim' });

    await expectRefused(victim);
    expect(await stack.statusOf(other)).toBe(200);
  });

  it('by grant, through its refresh token: the access tokens of that login, not of another login', async () => {
    const { token: unrelated } = await stack.userToken('grant-victim', ['viewer']);
    const login = await passwordLogin('grant-victim');
    expect(decodeJwt(login.access_token).grant_id).toBeDefined();

    await stack.revoke({ kind: 'token', value: login.refresh_token });

    await expectRefused(login.access_token);
    expect(await stack.statusOf(unrelated)).toBe(200);
  });

  it('by signing key: every token it signed, not those of the key that replaced it', async () => {
    const { token: oldKeyToken } = await stack.userToken('kid-victim', ['viewer']);
    const oldKid = decodeProtectedHeader(oldKeyToken).kid as string;
    const admin = await stack.adminToken();
    // An emergency rotation: the new key signs at once, so the old one may be revoked.
    const rotated = await adminRequest(stack.auth, '/keys/rotate', admin, {
      method: 'POST',
      body: { activateInSeconds: 0 },
    });
    expect(rotated.status).toBe(201);
    const { token: newKeyToken } = await stack.userToken('kid-survivor', ['viewer']);
    expect(decodeProtectedHeader(newKeyToken).kid).not.toBe(oldKid);
    // The resource server learns the new kid from JWKS (after the unknown-kid cooldown of 1 s).
    await stack.waitForStatus(newKeyToken, 200, { timeoutMs: 5000, allowed: [200, 401, 503] });

    // The admin API, too, looks up a new kid at most once a second: wait until it knows the new key.
    const newAdmin = await stack.adminToken();
    const adminStatus = async () => {
      const response = await adminRequest(stack.auth, '/revocations?limit=1', newAdmin);
      await response.arrayBuffer();
      return response.status;
    };
    const deadline = Date.now() + 5000;
    while ((await adminStatus()) !== 200) {
      if (Date.now() > deadline) throw new Error('the admin API did not accept the new key within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stack.revoke({ kind: 'kid', value: oldKid }, newAdmin);

    await expectRefused(oldKeyToken);
    expect(await stack.statusOf(newKeyToken)).toBe(200);
    await expectAllRevokedStillRefused();
  }, 20_000);
});
