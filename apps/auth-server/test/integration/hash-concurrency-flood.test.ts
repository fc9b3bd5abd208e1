import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import argon2 from 'argon2';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer, type TokenResponse } from '../support/test-auth-server.js';

const web = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };
const CONCURRENCY = 1;
const QUEUE_LIMIT = 2;
/** The operations the cap lets in: one running, two waiting; everything else is refused at once. */
const ADMITTED = CONCURRENCY + QUEUE_LIMIT;

/**
 * argon2 that waits at a gate the test opens: while it is shut, the operations admitted by the cap stay
 * admitted, and which requests are refused depends on nothing but the cap (no timing).
 */
function gatedArgon2(method: 'verify' | 'hash') {
  const real = argon2[method] as (...args: unknown[]) => Promise<unknown>;
  let open: () => void = () => {};
  let gate = Promise.resolve();
  const spy = jest.spyOn(argon2, method).mockImplementation((async (...args: unknown[]) => {
    await gate;
    return real.apply(argon2, args);
  }) as never);
  return {
    spy,
    shut() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    open: () => open(),
  };
}

/** Waits for a condition the test does not time: the bound only turns a hang into a failure. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Settles every promise, and counts those that did while the test watches. */
function tracked<T>(promises: Promise<T>[]) {
  const settled: T[] = [];
  const all = Promise.all(
    promises.map(async (promise) => {
      const value = await promise;
      settled.push(value);
      return value;
    }),
  );
  return { settled, all };
}

/**
 * The cap on concurrent argon2 work (PASSWORD_HASH_CONCURRENCY=1, PASSWORD_HASH_QUEUE_LIMIT=2) through the
 * real server: a login flood beyond it answers 503 `temporarily_unavailable` with Retry-After at once, not
 * 500 and not a growing queue; the server keeps answering other requests; refused attempts do not count
 * towards the lockout; the admin API answers a 503 problem and writes nothing.
 */
describe('password hashing under a flood', () => {
  let server: TestAuthServer;
  const users = Array.from({ length: 20 }, (_, index) => `flood-${String(index).padStart(2, '0')}`);

  beforeAll(async () => {
    server = await startTestAuthServer({
      PASSWORD_HASH_CONCURRENCY: String(CONCURRENCY),
      PASSWORD_HASH_QUEUE_LIMIT: String(QUEUE_LIMIT),
      LOGIN_LOCKOUT_THRESHOLD: '5',
    });
    await server.addClient({ ...web, grantTypes: ['password'], scopes: ['items:read'], firstParty: true });
    for (const username of [...users, 'victor']) {
      await server.addUser({ username, password: `${username} passphrase` });
    }
  }, 60_000);
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => server?.close());

  const login = (username: string, password: string) =>
    server.token({ grant_type: 'password', username, password, scope: 'items:read' }, web);
  const rightOrWrong = (index: number) => (index % 2 === 0 ? 'passphrase' : 'wrong guess');

  it('refuses beyond the cap with 503 at once, keeps serving, and lets every admitted login finish', async () => {
    const argon2Verify = gatedArgon2('verify');
    argon2Verify.shut();
    const burst = tracked(
      users.map((username, index) => login(username, `${username} ${rightOrWrong(index)}`)),
    );

    await until(() => burst.settled.length === users.length - ADMITTED, 'the refusals');
    expect(argon2Verify.spy).toHaveBeenCalledTimes(CONCURRENCY);
    for (const refused of burst.settled) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the server is busy; retry later',
      });
    }
    // The event loop and the libuv pool are not starved: the server answers what needs no argon2.
    expect((await fetch(`${server.url}/jwks`)).status).toBe(200);

    // Six refusals in a row for one user: none counts as a failed password (threshold 5), so no 429.
    for (let attempt = 0; attempt < 6; attempt += 1) {
      expect((await login('victor', 'victor passphrase')).status).toBe(503);
    }

    argon2Verify.open();
    const responses: TokenResponse[] = await burst.all;
    expect(responses.filter((response) => response.status === 503)).toHaveLength(users.length - ADMITTED);
    const admitted = responses
      .map((response, index) => ({ response, index }))
      .filter(({ response }) => response.status !== 503);
    expect(admitted).toHaveLength(ADMITTED);
    for (const { response, index } of admitted) {
      if (index % 2 === 0) expect(response.status).toBe(200);
      else expect(response.body).toMatchObject({ error: 'invalid_grant' });
    }

    // Only the admitted wrong passwords count as failures; a refused user logs in at once.
    await server.container.flushAudit();
    const wrongAdmitted = admitted.filter(({ index }) => index % 2 === 1).length;
    const failures = await server.prisma.loginThrottle.aggregate({ _sum: { failures: true } });
    expect(failures._sum.failures ?? 0).toBe(wrongAdmitted);
    expect((await login('victor', 'victor passphrase')).status).toBe(200);
    const refusedIndex = responses.findIndex((response) => response.status === 503);
    const refusedUser = users[refusedIndex] as string;
    expect((await login(refusedUser, `${refusedUser} passphrase`)).status).toBe(200);
  }, 30_000);

  it('answers the admin API with a 503 problem and Retry-After, and creates nothing', async () => {
    const admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    const argon2Hash = gatedArgon2('hash');
    argon2Hash.shut();
    const names = ['new-1', 'new-2', 'new-3', 'new-4'];
    const creates = tracked(
      names.map((username) =>
        adminRequest(server, '/users', admin, {
          method: 'POST',
          body: { username, password: `${username} plover quartz` },
        }),
      ),
    );

    await until(() => creates.settled.length === names.length - ADMITTED, 'the refusal');
    const [refused] = creates.settled;
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(refused?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused?.json()).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'password hashing is busy; retry later',
    });

    const victor = await server.prisma.user.findUniqueOrThrow({ where: { username: 'victor' } });
    const setPassword = await adminRequest(server, `/users/${victor.id}/password`, admin, {
      method: 'PUT',
      body: { password: 'victor lantern plover' },
    });
    expect(setPassword.status).toBe(503);
    expect(setPassword.headers.get('retry-after')).toBe('1');

    argon2Hash.open();
    const statuses = (await creates.all).map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(ADMITTED);
    const created = await server.prisma.user.findMany({ where: { username: { in: names } } });
    expect(created).toHaveLength(ADMITTED);
    expect((await server.prisma.user.findUniqueOrThrow({ where: { id: victor.id } })).passwordHash).toBe(
      victor.passwordHash,
    );
  }, 30_000);
});
