import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  basic,
  disableUser,
  expectLogFreeOf,
  expectOAuthError,
  postForm,
  type RawAnswer,
  type SecurityServer,
  stableHeaders,
  startSecurityServer,
} from './security-fixture.js';

/** Three failures lock a username+address pair, for at most two seconds: the lock's whole life fits a test. */
const THRESHOLD = 3;
const MAX_LOCK_SECONDS = 2;

/**
 * Black-box brute-force and enumeration resistance of the password grant (RFC 6749 §4.3, RFC 9700 §2.4,
 * OWASP ASVS 2.2.1 / 3.x "anti-automation", OWASP Authentication Cheat Sheet "authentication responses").
 * Every test sends from its own loopback address (127.0.0.0/8 all reach the server), so each starts with
 * fresh per-address counters and locks.
 */
describe('security: password grant', () => {
  let fixture: SecurityServer;
  let web: string;
  let nextAddress = 10;

  beforeAll(async () => {
    fixture = await startSecurityServer({
      LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD),
      LOGIN_LOCKOUT_MAX_SECONDS: String(MAX_LOCK_SECONDS),
    });
    web = basic('demo-web', fixture.secretOf('demo-web'));
    await disableUser(fixture, 'carol');
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  const freshAddress = () => `127.0.0.${nextAddress++}`;
  const login = (username: string, password: string, from: string, extra: Record<string, string> = {}) =>
    postForm(
      fixture.server.url,
      '/token',
      { grant_type: 'password', username, password, scope: 'items:read', ...extra },
      { authorization: web, localAddress: from },
    );
  const expectIndistinguishable = (answers: RawAnswer[]) => {
    const [first, ...rest] = answers;
    for (const answer of rest) {
      expect(answer.status).toBe(first!.status);
      expect(answer.text).toBe(first!.text);
      expect(stableHeaders(answer)).toEqual(stableHeaders(first!));
    }
  };

  it('RFC 6749 §4.3.3: a positive control logs alice in, with a refresh token', async () => {
    const answer = await login('alice', fixture.passwordOf('alice'), freshAddress());
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
  });

  it('OWASP ASVS 2.2.1 / RFC 6749 §5.2: unknown user, wrong password and disabled user answer the same invalid_grant', async () => {
    const from = freshAddress();
    const wrongPassword = await login('alice', 'not-alices-password-1', from);
    const unknownUser = await login('mallory', 'not-alices-password-1', from);
    const disabledUser = await login('carol', fixture.passwordOf('carol'), from);
    expectOAuthError(wrongPassword, 400, 'invalid_grant', ['not-alices-password-1']);
    expectOAuthError(disabledUser, 400, 'invalid_grant', [fixture.passwordOf('carol')]);
    expectIndistinguishable([wrongPassword, unknownUser, disabledUser]);
  });

  it('OWASP ASVS 2.2.1: username case and a near-miss password change nothing in the answer', async () => {
    const from = freshAddress();
    const alicePassword = fixture.passwordOf('alice');
    const nearMiss = `${alicePassword.slice(0, -1)}${alicePassword.at(-1) === 'x' ? 'y' : 'x'}`;
    expectIndistinguishable([
      await login('alice', nearMiss, from),
      await login('ALICE-nobody', nearMiss, from),
    ]);
  });

  it('RFC 6749 §4.3.2: missing or empty username or password is invalid_request, before any lookup', async () => {
    const from = freshAddress();
    for (const params of [
      { username: '', password: 'x' },
      { username: 'alice', password: '' },
    ]) {
      expectOAuthError(await login(params.username, params.password, from), 400, 'invalid_request');
    }
    const noPassword = await postForm(
      fixture.server.url,
      '/token',
      { grant_type: 'password', username: 'alice' },
      { authorization: web, localAddress: from },
    );
    expectOAuthError(noPassword, 400, 'invalid_request');
  });

  it('OWASP ASVS 2.1.2: a 10 KB password is an ordinary failure, not an error', async () => {
    const long = 'p'.repeat(10_000);
    expectOAuthError(await login('alice', long, freshAddress()), 400, 'invalid_grant', [long]);
  });

  it('RFC 6749 §3.3: a scope the client may not ask for is refused whoever the user is (invalid_scope)', async () => {
    const from = freshAddress();
    const known = await login('alice', fixture.passwordOf('alice'), from, { scope: 'admin items:read' });
    const unknown = await login('mallory', 'whatever-password', from, { scope: 'admin items:read' });
    expectOAuthError(known, 400, 'invalid_scope');
    expectIndistinguishable([known, unknown]);
  });

  describe('lockout', () => {
    /** Fails THRESHOLD times; resolves to the answer of the attempt after them. */
    const failUntilLocked = async (username: string, from: string) => {
      for (let attempt = 0; attempt < THRESHOLD; attempt++) {
        const answer = await login(username, `wrong-password-${attempt}`, from);
        expect(answer.status).toBe(400);
      }
      return login(username, 'wrong-password-again', from);
    };
    const expectLocked = (answer: RawAnswer) => {
      expectOAuthError(answer, 429, 'temporarily_unavailable');
      const retryAfter = Number(answer.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(MAX_LOCK_SECONDS);
      return retryAfter;
    };

    it('OWASP ASVS 2.2.1 / RFC 6585 §4: locks a username+address after the threshold, even for the right password', async () => {
      const from = freshAddress();
      expectLocked(await failUntilLocked('alice', from));
      expectLocked(await login('alice', fixture.passwordOf('alice'), from));
    });

    it('OWASP ASVS 2.2.1: an unknown username locks the same way, so a lock reveals no account', async () => {
      const from = freshAddress();
      const known = await failUntilLocked('alice', from);
      const unknown = await failUntilLocked('mallory', from);
      expectLocked(known);
      expectLocked(unknown);
      expect(unknown.text).toBe(known.text);
    });

    it('OWASP Authentication Cheat Sheet "account lockout": a lock from one address does not lock the user out elsewhere', async () => {
      const attacker = freshAddress();
      expectLocked(await failUntilLocked('bob', attacker));
      const user = await login('bob', fixture.passwordOf('bob'), freshAddress());
      expect(user.status).toBe(200);
    });

    it('OWASP ASVS 2.2.1: the lock runs out after Retry-After, and a success resets the count', async () => {
      const from = freshAddress();
      const retryAfter = expectLocked(await failUntilLocked('alice', from));
      // Bounded by MAX_LOCK_SECONDS: waits out exactly what the server announced, plus a margin.
      await sleep(retryAfter * 1000 + 250);
      expect((await login('alice', fixture.passwordOf('alice'), from)).status).toBe(200);
      // Reset: the next failure is an ordinary invalid_grant, not a lock.
      expectOAuthError(await login('alice', 'wrong-password-after', from), 400, 'invalid_grant');
    }, 15_000);
  });

  it('OWASP ASVS 7.1.1: no password, right or wrong, reached the server log', () => {
    expectLogFreeOf(fixture, [
      ...['alice', 'bob', 'carol'].map((username) => fixture.passwordOf(username)),
      'not-alices-password-1',
      'wrong-password-again',
    ]);
  });
});
