import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testScopes } from '../support/test-environment.js';

interface Problem {
  status: number;
  errors: { path: string; message: string }[];
}

const web = { id: 'web', secret: 'web-secret-0123456789abcdef0123456789abcdef' };

/**
 * The password policy (password-policy.ts) as the admin API applies it to new passwords, and as the
 * password grant does not: a user whose password became common keeps logging in.
 */
describe('password policy on the admin API', () => {
  let server: TestAuthServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    await server.addClient({ ...web, grantTypes: ['password'], scopes: testScopes, firstParty: true });
  }, 30_000);
  afterAll(async () => server?.close());

  const create = (body: Record<string, unknown>) =>
    adminRequest(server, '/users', admin, { method: 'POST', body });
  const setPassword = (id: string, password: string) =>
    adminRequest(server, `/users/${id}/password`, admin, { method: 'PUT', body: { password } });
  const login = (username: string, password: string) =>
    server.token({ grant_type: 'password', username, password, scope: 'items:read' }, web);

  it.each([
    ['a common password', { username: 'eve', password: 'Password123' }, 'is too common'],
    ['the username', { username: 'evelyn.adams', password: 'EVELYN.ADAMS' }, 'must not be the username'],
    [
      'the email',
      { username: 'eve', email: 'eve.adams@example.test', password: 'Eve.Adams@Example.test' },
      'must not be the email address',
    ],
    ['7 characters', { username: 'eve', password: 'seven77' }, 'must be at least 8 characters'],
    ['7 emoji (14 UTF-16 units)', { username: 'eve', password: '🦊'.repeat(7) }, 'at least 8 characters'],
    ['1025 bytes', { username: 'eve', password: `${'é'.repeat(512)}x` }, 'must be at most 1024 bytes'],
  ])(
    'refuses %s: 400 problem naming the rule, never the password, nothing created',
    async (_case, body, rule) => {
      const before = await server.prisma.user.count();
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await response.text();
      const problem = JSON.parse(text) as Problem;
      expect(problem.errors).toEqual([{ path: 'password', message: expect.stringContaining(rule) }]);
      expect(text).not.toContain(body.password);
      expect(await server.prisma.user.count()).toBe(before);
    },
  );

  it('says why a common password is refused', async () => {
    const problem = (await (await create({ username: 'eve', password: 'qwertyuiop' })).json()) as Problem;
    expect(problem.errors).toEqual([
      { path: 'password', message: 'is too common: it appears in lists of breached passwords' },
    ]);
  });

  it('accepts 8 emoji (8 code points), and the user logs in with them', async () => {
    const password = '🦊🐙🦉🐝🦔🐢🦜🐬';
    const response = await create({ username: 'emoji', password });
    expect(response.status).toBe(201);
    expect((await login('emoji', password)).status).toBe(200);
  });

  it('applies the policy to a new password too, with the user’s own username and email', async () => {
    const response = await create({
      username: 'frank',
      email: 'frank.ocean@example.test',
      password: 'plover quartz lantern',
    });
    const { id } = (await response.json()) as { id: string };
    const hashBefore = (await server.prisma.user.findUniqueOrThrow({ where: { id } })).passwordHash;

    for (const [password, rule] of [
      ['iloveyou1', 'is too common'],
      ['FRANK.OCEAN@example.test', 'must not be the email address'],
      ['short', 'at least 8 characters'],
    ] as const) {
      const refused = await setPassword(id, password);
      expect(refused.status).toBe(400);
      const text = await refused.text();
      expect((JSON.parse(text) as Problem).errors).toEqual([
        { path: 'password', message: expect.stringContaining(rule) },
      ]);
      expect(text).not.toContain(password);
    }
    expect((await server.prisma.user.findUniqueOrThrow({ where: { id } })).passwordHash).toBe(hashBefore);
    expect((await setPassword(id, 'lantern quartz plover')).status).toBe(204);
    expect((await login('frank', 'lantern quartz plover')).status).toBe(200);
  });

  it('does not apply the list at login: an existing user with a common password still logs in', async () => {
    await server.addUser({ username: 'legacy', password: 'password123' });
    expect((await login('legacy', 'password123')).status).toBe(200);
  });

  it('keeps the 1 KiB cap at login, before any hashing', async () => {
    await server.addUser({ username: 'capped', password: 'a sound passphrase' });
    const response = await login('capped', 'x'.repeat(1025));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_grant' });
  });
});
