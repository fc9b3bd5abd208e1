import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { upsertUser } from '@portcullis/db';
import argon2 from 'argon2';
import { createPasswordHasher } from '../../src/credentials/password-hasher.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const web = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };

/** `$argon2id$v=19$m=9216,t=2,p=1$…` -> its cost parameters. */
function argon2Parameters(encoded: string) {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) throw new Error('not an argon2id hash');
  return { memoryCost: Number(match[1]), timeCost: Number(match[2]), parallelism: Number(match[3]) };
}

/**
 * The password grant's argon2 work through the real server: a hash made with older parameters is
 * upgraded on login, and an unknown username costs a real argon2 verification with the configured
 * parameters, like a known one (counted, never timed: README, "Tests").
 */
describe('password hashing at login', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    // Stronger than the stored hashes below, still cheap enough for a test.
    server = await startTestAuthServer({ ARGON2_MEMORY_KIB: '9216', ARGON2_TIME_COST: '2' });
    await server.addClient({ ...web, grantTypes: ['password'], scopes: ['items:read'], firstParty: true });
  }, 30_000);
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => server?.close());

  const login = (username: string, password: string) =>
    server.token({ grant_type: 'password', username, password, scope: 'items:read' }, web);
  const storedHash = async (username: string) =>
    (await server.prisma.user.findUniqueOrThrow({ where: { username } })).passwordHash;

  it('rehashes a weaker stored hash with the configured parameters on login, and the login still works', async () => {
    const weak = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await upsertUser(server.prisma, { username: 'olga', passwordHash: await weak.hash('olga passphrase 1') });
    expect(argon2Parameters(await storedHash('olga'))).toEqual({
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });

    expect((await login('olga', 'olga passphrase 1')).status).toBe(200);
    const upgraded = await storedHash('olga');
    expect(argon2Parameters(upgraded)).toEqual({ memoryCost: 9216, timeCost: 2, parallelism: 1 });

    expect((await login('olga', 'olga passphrase 1')).status).toBe(200);
    expect(await storedHash('olga')).toBe(upgraded);
    expect((await login('olga', 'wrong passphrase')).status).toBe(400);
  });

  it('does not rehash on a wrong password', async () => {
    const weak = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const hash = await weak.hash('pavel passphrase 1');
    await upsertUser(server.prisma, { username: 'pavel', passwordHash: hash });
    expect((await login('pavel', 'not his passphrase')).status).toBe(400);
    expect(await storedHash('pavel')).toBe(hash);
  });

  it('verifies an unknown username against a decoy with the configured parameters: one argon2 verify, like a known user', async () => {
    await server.addUser({ username: 'quinn', password: 'quinn passphrase 1' });
    const verify = jest.spyOn(argon2, 'verify');

    for (const [username, password] of [
      ['nobody-here', 'some passphrase 1'],
      ['quinn', 'wrong passphrase 1'],
      ['quinn', 'quinn passphrase 1'],
    ] as const) {
      verify.mockClear();
      const response = await login(username, password);
      expect(response.status).toBe(username === 'quinn' && password.startsWith('quinn') ? 200 : 400);
      expect(verify).toHaveBeenCalledTimes(1);
      const [digest, candidate] = verify.mock.calls[0] as [string, string];
      expect(argon2Parameters(digest)).toEqual({ memoryCost: 9216, timeCost: 2, parallelism: 1 });
      expect(candidate).toBe(password);
    }
    // Same answer for both failures: nothing tells an unknown username from a wrong password.
    const unknown = await login('nobody-here', 'some passphrase 1');
    const wrong = await login('quinn', 'wrong passphrase 1');
    expect(unknown.body).toEqual(wrong.body);
  });
});
