import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import {
  AdminConflictError,
  AdminNotFoundError,
  type AdminUser,
  assignUserRoles,
  createUser,
  deleteUser,
  getUser,
  grantUserPermissions,
  listUsers,
  revokeUserPermission,
  setUserPasswordHash,
  unassignUserRole,
  updateUser,
} from '../../src/repositories/admin-users.js';
import { getUserAuthorizations } from '../../src/repositories/authorizations.js';
import { InvalidCursorError } from '../../src/repositories/items.js';
import { upsertRole } from '../../src/repositories/provisioning.js';

const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

/** The admin users repository against real PostgreSQL. */
describe('admin users repository', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase({ poolMax: 4 });
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());
  beforeEach(async () => {
    await prisma.user.deleteMany();
    await prisma.role.deleteMany();
    await prisma.permission.deleteMany();
    await upsertRole(prisma, { name: 'viewer', permissions: ['items:read'] });
    await upsertRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
  });

  const permissionNames = async () =>
    (await prisma.permission.findMany({ select: { name: true }, orderBy: { name: 'asc' } })).map(
      (p) => p.name,
    );

  /** Users with distinct, known creation times: the order the tests expect does not hang on the clock. */
  async function seed(
    count: number,
    fields: (index: number) => { email?: string; disabled?: boolean } = () => ({}),
  ) {
    const base = Date.UTC(2030, 0, 1);
    const users: AdminUser[] = [];
    for (let index = 0; index < count; index++) {
      const user = await createUser(prisma, {
        username: `user${String(index).padStart(2, '0')}`,
        passwordHash: hash,
        ...fields(index),
      });
      await prisma.user.update({
        where: { id: user.id },
        data: { createdAt: new Date(base + index * 1000) },
      });
      users.push((await getUser(prisma, user.id))!);
    }
    return users;
  }

  describe('createUser and getUser', () => {
    it('creates a user with normalized username, roles and direct permissions, never exposing the hash', async () => {
      const created = await createUser(prisma, {
        username: '  Alice ',
        email: 'Alice@Example.com',
        passwordHash: hash,
        roles: ['viewer', 'editor', 'viewer'],
        permissions: ['items:delete', 'items:read'],
      });

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: 'alice',
        email: 'Alice@Example.com',
        disabled: false,
        roles: ['editor', 'viewer'],
        permissions: ['items:delete', 'items:read'],
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(Object.keys(created)).not.toContain('passwordHash');
      expect(await getUser(prisma, created.id)).toEqual(created);
      // The existing permission was reused, the new one created once.
      expect(await permissionNames()).toEqual(['items:delete', 'items:read', 'items:write']);
      expect(
        await prisma.user.findUnique({ where: { id: created.id }, select: { passwordHash: true } }),
      ).toEqual({
        passwordHash: hash,
      });
    });

    it('defaults to no email, enabled, no roles or permissions; can create a disabled user', async () => {
      const plain = await createUser(prisma, { username: 'bob', passwordHash: hash });
      expect(plain).toMatchObject({ email: null, disabled: false, roles: [], permissions: [] });
      const disabled = await createUser(prisma, { username: 'carol', passwordHash: hash, disabled: true });
      expect(disabled.disabled).toBe(true);
    });

    it('refuses a taken username, whatever its case, with AdminConflictError', async () => {
      await createUser(prisma, { username: 'alice', passwordHash: hash });
      const attempt = createUser(prisma, { username: 'ALICE', passwordHash: hash });
      await expect(attempt).rejects.toThrow(AdminConflictError);
      await expect(createUser(prisma, { username: 'Alice', passwordHash: hash })).rejects.toMatchObject({
        name: 'AdminConflictError',
        code: 'ERR_DB_CONFLICT',
        resource: 'user',
        fields: ['username'],
      });
    });

    it('refuses a taken email and leaves nothing of the second user behind', async () => {
      await createUser(prisma, { username: 'alice', email: 'a@example.com', passwordHash: hash });
      await expect(
        createUser(prisma, {
          username: 'bob',
          email: 'a@example.com',
          passwordHash: hash,
          permissions: ['reports:read'],
        }),
      ).rejects.toMatchObject({ code: 'ERR_DB_CONFLICT', resource: 'user', fields: ['email'] });
      expect(await prisma.user.count()).toBe(1);
      expect(await permissionNames()).not.toContain('reports:read');
    });

    it('rolls everything back when one role among several is unknown', async () => {
      const attempt = createUser(prisma, {
        username: 'dave',
        passwordHash: hash,
        roles: ['viewer', 'ghost', 'editor'],
        permissions: ['reports:read'],
      });
      await expect(attempt).rejects.toThrow(AdminNotFoundError);
      await expect(
        createUser(prisma, { username: 'dave', passwordHash: hash, roles: ['viewer', 'ghost'] }),
      ).rejects.toMatchObject({
        name: 'AdminNotFoundError',
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        key: 'ghost',
      });

      expect(await prisma.user.count()).toBe(0);
      expect(await prisma.userRole.count()).toBe(0);
      // The permission was upserted before the role check failed; the rollback removed it too.
      expect(await permissionNames()).toEqual(['items:read', 'items:write']);
      // The name is still free.
      await expect(createUser(prisma, { username: 'dave', passwordHash: hash })).resolves.toMatchObject({
        username: 'dave',
      });
    });

    it('answers null for an unknown id and for an id that is not a uuid', async () => {
      expect(await getUser(prisma, randomUUID())).toBeNull();
      expect(await getUser(prisma, 'not-a-uuid')).toBeNull();
      expect(await getUser(prisma, "'; DROP TABLE users; --")).toBeNull();
    });
  });

  describe('listUsers', () => {
    it('pages through 25 users, 10 at a time, in (createdAt, id) order without duplicates or gaps', async () => {
      const seeded = await seed(25);

      const pages: AdminUser[][] = [];
      let after: string | undefined;
      do {
        const page = await listUsers(prisma, { limit: 10, after });
        pages.push(page.users);
        after = page.nextCursor ?? undefined;
      } while (after !== undefined && pages.length < 10);

      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((user) => user.id)).toEqual(seeded.map((user) => user.id));
      expect(pages.flat()[0]).toEqual(seeded[0]);
    });

    it('orders by id among users created in the same millisecond, and a cursor resumes inside the tie', async () => {
      const seeded = await seed(6);
      await prisma.user.updateMany({ data: { createdAt: new Date(Date.UTC(2030, 5, 1)) } });
      const byId = seeded.map((user) => user.id).sort();

      const first = await listUsers(prisma, { limit: 4 });
      expect(first.users.map((user) => user.id)).toEqual(byId.slice(0, 4));
      const second = await listUsers(prisma, { limit: 4, after: first.nextCursor ?? undefined });
      expect(second.users.map((user) => user.id)).toEqual(byId.slice(4));
      expect(second.nextCursor).toBeNull();
    });

    it('gives no next cursor when the page holds exactly the remaining users', async () => {
      await seed(10);
      const page = await listUsers(prisma, { limit: 10 });
      expect(page.users).toHaveLength(10);
      expect(page.nextCursor).toBeNull();
    });

    it('lists roles and direct permissions of each user', async () => {
      await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        roles: ['editor'],
        permissions: ['x:y'],
      });
      const { users } = await listUsers(prisma, { limit: 10 });
      expect(users).toEqual([
        expect.objectContaining({ username: 'alice', roles: ['editor'], permissions: ['x:y'] }),
      ]);
    });

    it('searches username or email case-insensitively, treating % and _ literally', async () => {
      const percent = await createUser(prisma, { username: '100%_sure', passwordHash: hash });
      const byEmail = await createUser(prisma, {
        username: 'erin',
        email: 'Erin_100@Example.COM',
        passwordHash: hash,
      });
      const byName = await createUser(prisma, { username: 'example-fan', passwordHash: hash });
      await createUser(prisma, { username: '100xsure', email: 'plain@test.org', passwordHash: hash });

      const ids = async (search: string) =>
        (await listUsers(prisma, { limit: 10, search })).users.map((user) => user.id).sort();
      expect(await ids('EXAMPLE')).toEqual([byEmail.id, byName.id].sort());
      expect(await ids('%_S')).toEqual([percent.id]);
      expect(await ids('_')).toEqual([percent.id, byEmail.id].sort());
      expect(await ids('%')).toEqual([percent.id]);
      expect(await ids('nobody like that')).toEqual([]);
    });

    it('filters by the disabled flag, combined with search and paging', async () => {
      const seeded = await seed(9, (index) => ({
        disabled: index % 3 === 0,
        email: index % 2 === 0 ? `even${index}@corp.test` : `odd${index}@corp.test`,
      }));
      const expected = (disabled: boolean, parity?: string) =>
        seeded
          .filter(
            (user) => user.disabled === disabled && (parity === undefined || user.email?.startsWith(parity)),
          )
          .map((user) => user.id);

      const all = async (query: { disabled?: boolean; search?: string }) => {
        const ids: string[] = [];
        let after: string | undefined;
        do {
          const page = await listUsers(prisma, { limit: 2, after, ...query });
          ids.push(...page.users.map((user) => user.id));
          after = page.nextCursor ?? undefined;
        } while (after !== undefined);
        return ids;
      };
      expect(await all({ disabled: true })).toEqual(expected(true));
      expect(await all({ disabled: false })).toEqual(expected(false));
      expect(await all({ disabled: false, search: 'EVEN' })).toEqual(expected(false, 'even'));
      expect(await all({})).toEqual(seeded.map((user) => user.id));
    });

    it.each([
      ['not base64url', '***'],
      ['garbage', Buffer.from('hello').toString('base64url')],
      ['a non-uuid id', Buffer.from('2030-01-01T00:00:00.000Z|42').toString('base64url')],
      ['a non-canonical date', Buffer.from(`2030-01-01T00:00:00Z|${randomUUID()}`).toString('base64url')],
      ['an empty string', ''],
    ])('rejects a cursor with %s', async (_label, after) => {
      await expect(listUsers(prisma, { limit: 10, after })).rejects.toThrow(InvalidCursorError);
    });

    it('rejects a limit that is not a positive integer', async () => {
      await expect(listUsers(prisma, { limit: 0 })).rejects.toThrow(RangeError);
      await expect(listUsers(prisma, { limit: 1.5 })).rejects.toThrow(RangeError);
    });
  });

  describe('updateUser', () => {
    it('changes email and disabled, answering before and after, and bumps updatedAt', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        email: 'a@example.com',
        passwordHash: hash,
        roles: ['viewer'],
      });
      const stale = new Date(Date.UTC(2020, 0, 1));
      await prisma.user.update({ where: { id: user.id }, data: { updatedAt: stale } });

      const change = await updateUser(prisma, user.id, { email: 'alice@example.com', disabled: true });
      expect(change?.before).toEqual({ ...user, updatedAt: stale });
      expect(change?.after).toMatchObject({
        id: user.id,
        username: 'alice',
        email: 'alice@example.com',
        disabled: true,
        roles: ['viewer'],
      });
      expect(change!.after.updatedAt.getTime()).toBeGreaterThan(stale.getTime());
      expect(await getUser(prisma, user.id)).toEqual(change?.after);
    });

    it('removes the email with null and leaves fields that are not given', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        email: 'a@example.com',
        passwordHash: hash,
        disabled: true,
      });
      const change = await updateUser(prisma, user.id, { email: null });
      expect(change?.after).toMatchObject({ email: null, disabled: true });
    });

    it('writes nothing without changes', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash });
      expect(await updateUser(prisma, user.id, {})).toEqual({ before: user, after: user });
      expect(await getUser(prisma, user.id)).toEqual(user);
    });

    it("refuses another user's email with AdminConflictError and keeps both users unchanged", async () => {
      const alice = await createUser(prisma, {
        username: 'alice',
        email: 'a@example.com',
        passwordHash: hash,
      });
      const bob = await createUser(prisma, { username: 'bob', email: 'b@example.com', passwordHash: hash });
      await expect(
        updateUser(prisma, bob.id, { email: 'a@example.com', disabled: true }),
      ).rejects.toMatchObject({
        code: 'ERR_DB_CONFLICT',
        resource: 'user',
        fields: ['email'],
      });
      expect(await getUser(prisma, alice.id)).toEqual(alice);
      expect(await getUser(prisma, bob.id)).toEqual(bob);
    });

    it('answers null for an unknown or non-uuid id', async () => {
      expect(await updateUser(prisma, randomUUID(), { disabled: true })).toBeNull();
      expect(await updateUser(prisma, 'nope', { disabled: true })).toBeNull();
    });

    it('serializes concurrent updates: each before is exactly what another update left', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        email: 'start@example.com',
        passwordHash: hash,
      });
      const emails = ['one@example.com', 'two@example.com', 'three@example.com', 'four@example.com'];
      const changes = await Promise.all(emails.map((email) => updateUser(prisma, user.id, { email })));

      // Following before -> after from the start visits every update once: no two read the same before.
      const next = new Map(changes.map((change) => [change!.before.email, change!.after.email]));
      const chain: (string | null)[] = [];
      let email = next.get('start@example.com');
      while (email !== undefined && chain.length <= emails.length) {
        chain.push(email);
        email = next.get(email);
      }
      expect([...chain].sort()).toEqual([...emails].sort());
      expect((await getUser(prisma, user.id))?.email).toBe(chain.at(-1));
    });
  });

  describe('setUserPasswordHash', () => {
    it('replaces the hash and reports whether the user exists', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash });
      expect(await setUserPasswordHash(prisma, user.id, '$argon2id$new')).toBe(true);
      expect(
        await prisma.user.findUnique({ where: { id: user.id }, select: { passwordHash: true } }),
      ).toEqual({
        passwordHash: '$argon2id$new',
      });
      expect(await setUserPasswordHash(prisma, randomUUID(), '$argon2id$new')).toBe(false);
      expect(await setUserPasswordHash(prisma, 'nope', '$argon2id$new')).toBe(false);
    });
  });

  describe('deleteUser', () => {
    it('answers the deleted record once, cascading its links but keeping roles and permissions', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        roles: ['editor'],
        permissions: ['items:delete'],
      });
      const other = await createUser(prisma, { username: 'bob', passwordHash: hash, roles: ['editor'] });

      expect(await deleteUser(prisma, user.id)).toEqual(user);
      expect(await getUser(prisma, user.id)).toBeNull();
      expect(await prisma.userRole.count({ where: { userId: user.id } })).toBe(0);
      expect(await prisma.userPermission.count({ where: { userId: user.id } })).toBe(0);
      expect(await prisma.role.count({ where: { name: 'editor' } })).toBe(1);
      expect(await permissionNames()).toContain('items:delete');
      expect((await getUser(prisma, other.id))?.roles).toEqual(['editor']);

      expect(await deleteUser(prisma, user.id)).toBeNull();
      expect(await deleteUser(prisma, 'nope')).toBeNull();
    });
  });

  describe('role assignment', () => {
    it('assigns roles idempotently', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash, roles: ['viewer'] });
      expect((await assignUserRoles(prisma, user.id, ['editor', 'viewer']))?.roles).toEqual([
        'editor',
        'viewer',
      ]);
      expect((await assignUserRoles(prisma, user.id, ['editor']))?.roles).toEqual(['editor', 'viewer']);
      expect((await assignUserRoles(prisma, user.id, []))?.roles).toEqual(['editor', 'viewer']);
      expect(await getUserAuthorizations(prisma, user.id)).toEqual({
        roles: ['editor', 'viewer'],
        permissions: ['items:read', 'items:write'],
      });
    });

    it('assigns none of the roles when one is unknown', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash });
      await expect(assignUserRoles(prisma, user.id, ['viewer', 'ghost'])).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        key: 'ghost',
      });
      expect((await getUser(prisma, user.id))?.roles).toEqual([]);
    });

    it('answers null for an unknown user, before looking at the roles', async () => {
      expect(await assignUserRoles(prisma, randomUUID(), ['viewer'])).toBeNull();
      expect(await assignUserRoles(prisma, randomUUID(), ['ghost'])).toBeNull();
      expect(await assignUserRoles(prisma, 'nope', ['viewer'])).toBeNull();
      expect(await unassignUserRole(prisma, randomUUID(), 'ghost')).toBeNull();
    });

    it('unassigns one role; unassigning a role the user lacks is a no-op; an unknown role is not found', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        roles: ['viewer', 'editor'],
      });
      const other = await createUser(prisma, { username: 'bob', passwordHash: hash, roles: ['viewer'] });
      expect((await unassignUserRole(prisma, user.id, 'viewer'))?.roles).toEqual(['editor']);
      expect((await unassignUserRole(prisma, user.id, 'viewer'))?.roles).toEqual(['editor']);
      await expect(unassignUserRole(prisma, user.id, 'ghost')).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        key: 'ghost',
      });
      expect((await getUser(prisma, user.id))?.roles).toEqual(['editor']);
      expect((await getUser(prisma, other.id))?.roles).toEqual(['viewer']);
    });
  });

  describe('direct permissions', () => {
    it('grants permissions idempotently, creating unknown ones', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash });
      const granted = await grantUserPermissions(prisma, user.id, [
        'reports:read',
        'items:read',
        'reports:read',
      ]);
      expect(granted?.permissions).toEqual(['items:read', 'reports:read']);
      expect((await grantUserPermissions(prisma, user.id, ['reports:read']))?.permissions).toEqual([
        'items:read',
        'reports:read',
      ]);
      expect(await permissionNames()).toEqual(['items:read', 'items:write', 'reports:read']);
    });

    it('grants the same new permissions concurrently in any order without deadlocking', async () => {
      const users = await Promise.all(
        [0, 1, 2, 3].map((index) => createUser(prisma, { username: `user${index}`, passwordHash: hash })),
      );
      const names = Array.from({ length: 20 }, (_, index) => `new:${String(index).padStart(2, '0')}`);
      const granted = await Promise.all(
        users.map((user, index) =>
          grantUserPermissions(prisma, user.id, index % 2 === 0 ? names : [...names].reverse()),
        ),
      );
      for (const user of granted) expect(user?.permissions).toEqual(names);
    });

    it('revokes a direct permission only; role-derived permissions stay', async () => {
      const user = await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        roles: ['viewer'],
        permissions: ['items:read', 'items:delete'],
      });
      expect((await revokeUserPermission(prisma, user.id, 'items:read'))?.permissions).toEqual([
        'items:delete',
      ]);
      expect((await revokeUserPermission(prisma, user.id, 'items:read'))?.permissions).toEqual([
        'items:delete',
      ]);
      expect((await getUserAuthorizations(prisma, user.id)).permissions).toEqual([
        'items:delete',
        'items:read',
      ]);
      // The permission itself stays: viewer still carries it.
      expect(await permissionNames()).toContain('items:read');
    });

    it('refuses to revoke a permission that does not exist, and answers null for an unknown user', async () => {
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash });
      await expect(revokeUserPermission(prisma, user.id, 'nope:nope')).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'permission',
        key: 'nope:nope',
      });
      expect(await grantUserPermissions(prisma, randomUUID(), ['items:read'])).toBeNull();
      expect(await revokeUserPermission(prisma, randomUUID(), 'items:read')).toBeNull();
      expect(await revokeUserPermission(prisma, 'nope', 'items:read')).toBeNull();
    });
  });

  it('gives the errors stable codes and names', () => {
    expect(new AdminConflictError('role')).toMatchObject({
      name: 'AdminConflictError',
      code: 'ERR_DB_CONFLICT',
      resource: 'role',
      fields: [],
      message: 'role already exists',
    });
    expect(new AdminNotFoundError('role', 'ghost')).toMatchObject({
      name: 'AdminNotFoundError',
      code: 'ERR_DB_NOT_FOUND',
      resource: 'role',
      key: 'ghost',
      message: 'role not found: ghost',
    });
    expect(new AdminNotFoundError('role', 'ghost')).toBeInstanceOf(Error);
  });
});
