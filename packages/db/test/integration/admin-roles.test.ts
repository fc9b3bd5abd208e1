import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import {
  assignClientRoles,
  createPermission,
  createRole,
  deletePermission,
  deleteRole,
  getRole,
  grantClientPermissions,
  listPermissions,
  listRoles,
  revokeClientPermission,
  unassignClientRole,
  updateRole,
} from '../../src/repositories/admin-roles.js';
import {
  AdminConflictError,
  AdminNotFoundError,
  createUser,
  getUser,
} from '../../src/repositories/admin-users.js';
import { getClientAuthorizations, getUserAuthorizations } from '../../src/repositories/authorizations.js';
import { upsertClient } from '../../src/repositories/provisioning.js';

const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';
const service = 'inventory-sync';

/** The admin roles, permissions and client-authorization repository against real PostgreSQL. */
describe('admin roles repository', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase({ poolMax: 4 });
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());
  beforeEach(async () => {
    await prisma.user.deleteMany();
    await prisma.client.deleteMany();
    await prisma.role.deleteMany();
    await prisma.permission.deleteMany();
    await upsertClient(prisma, {
      id: service,
      secretHash: 'ab'.repeat(32),
      grantTypes: ['client_credentials'],
      scopes: ['items'],
    });
  });

  const permissionNames = async () =>
    (await prisma.permission.findMany({ select: { name: true }, orderBy: { name: 'asc' } })).map(
      (p) => p.name,
    );

  describe('createRole, getRole and listRoles', () => {
    it('creates a role with its permissions, creating the unknown ones once', async () => {
      await createPermission(prisma, { name: 'items:read', description: 'Read items' });
      const role = await createRole(prisma, {
        name: 'editor',
        description: 'Edits items',
        permissions: ['items:write', 'items:read', 'items:write'],
      });

      expect(role).toEqual({
        name: 'editor',
        description: 'Edits items',
        permissions: ['items:read', 'items:write'],
        createdAt: expect.any(Date),
      });
      expect(await getRole(prisma, 'editor')).toEqual(role);
      expect(await permissionNames()).toEqual(['items:read', 'items:write']);
      // An existing permission keeps its description.
      expect((await listPermissions(prisma))[0]).toMatchObject({
        name: 'items:read',
        description: 'Read items',
      });
    });

    it('defaults the description to empty and accepts no permissions', async () => {
      expect(await createRole(prisma, { name: 'nobody', permissions: [] })).toMatchObject({
        description: '',
        permissions: [],
      });
    });

    it('refuses a taken name with AdminConflictError and writes nothing', async () => {
      const first = await createRole(prisma, { name: 'editor', permissions: ['items:read'] });
      const attempt = createRole(prisma, { name: 'editor', permissions: ['items:delete'] });
      await expect(attempt).rejects.toThrow(AdminConflictError);
      await expect(createRole(prisma, { name: 'editor', permissions: [] })).rejects.toMatchObject({
        code: 'ERR_DB_CONFLICT',
        resource: 'role',
        fields: ['name'],
      });
      expect(await getRole(prisma, 'editor')).toEqual(first);
      expect(await permissionNames()).toEqual(['items:read']);
    });

    it('answers null for an unknown role', async () => {
      expect(await getRole(prisma, 'ghost')).toBeNull();
    });

    it('lists roles sorted by name in code-unit order, each with its permissions', async () => {
      for (const name of ['viewer', 'admin', 'items:admin', 'items-admin', 'Auditor'])
        await createRole(prisma, { name, permissions: [`${name}:perm`] });

      const roles = await listRoles(prisma);
      expect(roles.map((role) => role.name)).toEqual([
        'Auditor',
        'admin',
        'items-admin',
        'items:admin',
        'viewer',
      ]);
      expect(roles[0]).toMatchObject({ name: 'Auditor', permissions: ['Auditor:perm'] });
      expect(await listRoles(prisma)).toEqual(roles);
    });

    it('lists nothing when there are no roles', async () => {
      expect(await listRoles(prisma)).toEqual([]);
    });
  });

  describe('updateRole', () => {
    it('changes the description only, keeping the permissions', async () => {
      const role = await createRole(prisma, {
        name: 'editor',
        description: 'old',
        permissions: ['items:read'],
      });
      expect(await updateRole(prisma, 'editor', { description: 'new' })).toEqual({
        before: role,
        after: { ...role, description: 'new' },
      });
    });

    it('replaces the permissions, creating new ones and keeping the dropped ones as permissions', async () => {
      const role = await createRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
      const change = await updateRole(prisma, 'editor', {
        description: 'Edits and deletes',
        permissions: ['items:write', 'items:delete'],
      });
      expect(change).toEqual({
        before: role,
        after: { ...role, description: 'Edits and deletes', permissions: ['items:delete', 'items:write'] },
      });
      expect(await getRole(prisma, 'editor')).toEqual(change?.after);
      expect(await permissionNames()).toEqual(['items:delete', 'items:read', 'items:write']);

      expect((await updateRole(prisma, 'editor', { permissions: [] }))?.after.permissions).toEqual([]);
    });

    it('changes what users holding the role are authorized for', async () => {
      await createRole(prisma, { name: 'editor', permissions: ['items:read'] });
      const user = await createUser(prisma, { username: 'alice', passwordHash: hash, roles: ['editor'] });
      await updateRole(prisma, 'editor', { permissions: ['items:write'] });
      expect(await getUserAuthorizations(prisma, user.id)).toEqual({
        roles: ['editor'],
        permissions: ['items:write'],
      });
    });

    it('writes nothing without changes, and answers null for an unknown role', async () => {
      const role = await createRole(prisma, { name: 'editor', permissions: ['items:read'] });
      expect(await updateRole(prisma, 'editor', {})).toEqual({ before: role, after: role });
      expect(await updateRole(prisma, 'ghost', { description: 'x' })).toBeNull();
      expect(await getRole(prisma, 'ghost')).toBeNull();
    });

    it('serializes concurrent replacements: each before is exactly what another update left', async () => {
      await createRole(prisma, { name: 'editor', permissions: ['p:0'] });
      const sets = [['p:1'], ['p:2'], ['p:3'], ['p:4']];
      const changes = await Promise.all(
        sets.map((permissions) => updateRole(prisma, 'editor', { permissions })),
      );

      const next = new Map(
        changes.map((change) => [change!.before.permissions.join(), change!.after.permissions.join()]),
      );
      const chain: string[] = [];
      let current = next.get('p:0');
      while (current !== undefined && chain.length <= sets.length) {
        chain.push(current);
        current = next.get(current);
      }
      expect([...chain].sort()).toEqual(['p:1', 'p:2', 'p:3', 'p:4']);
      expect((await getRole(prisma, 'editor'))?.permissions.join()).toBe(chain.at(-1));
    });
  });

  describe('deleteRole', () => {
    it('answers the deleted role once; users and clients lose it, permissions stay', async () => {
      const role = await createRole(prisma, { name: 'editor', permissions: ['items:write'] });
      await createRole(prisma, { name: 'viewer', permissions: ['items:read'] });
      const user = await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        roles: ['editor', 'viewer'],
      });
      await assignClientRoles(prisma, service, ['editor', 'viewer']);

      expect(await deleteRole(prisma, 'editor')).toEqual(role);
      expect(await getRole(prisma, 'editor')).toBeNull();
      expect((await getUser(prisma, user.id))?.roles).toEqual(['viewer']);
      expect(await getClientAuthorizations(prisma, service)).toEqual({
        roles: ['viewer'],
        permissions: ['items:read'],
      });
      expect(await prisma.rolePermission.count()).toBe(1);
      expect(await permissionNames()).toEqual(['items:read', 'items:write']);

      expect(await deleteRole(prisma, 'editor')).toBeNull();
    });
  });

  describe('permissions', () => {
    it('creates permissions and lists them sorted by name with the roles that carry them', async () => {
      const created = await createPermission(prisma, {
        name: 'items:delete',
        description: 'Delete any item',
      });
      expect(created).toEqual({
        name: 'items:delete',
        description: 'Delete any item',
        roles: [],
        createdAt: expect.any(Date),
      });
      await createRole(prisma, { name: 'viewer', permissions: ['items:read'] });
      await createRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });

      expect(await listPermissions(prisma)).toEqual([
        created,
        { name: 'items:read', description: '', roles: ['editor', 'viewer'], createdAt: expect.any(Date) },
        { name: 'items:write', description: '', roles: ['editor'], createdAt: expect.any(Date) },
      ]);
    });

    it('refuses a taken permission name with AdminConflictError', async () => {
      await createPermission(prisma, { name: 'items:read' });
      await expect(
        createPermission(prisma, { name: 'items:read', description: 'again' }),
      ).rejects.toMatchObject({
        name: 'AdminConflictError',
        code: 'ERR_DB_CONFLICT',
        resource: 'permission',
        fields: ['name'],
      });
      expect((await listPermissions(prisma))[0]?.description).toBe('');
    });

    it('deletes a permission from roles, users and clients alike, once', async () => {
      await createRole(prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
      const user = await createUser(prisma, {
        username: 'alice',
        passwordHash: hash,
        permissions: ['items:write'],
      });
      await grantClientPermissions(prisma, service, ['items:write', 'items:read']);

      expect(await deletePermission(prisma, 'items:write')).toBe(true);
      expect((await getRole(prisma, 'editor'))?.permissions).toEqual(['items:read']);
      expect((await getUser(prisma, user.id))?.permissions).toEqual([]);
      expect((await getClientAuthorizations(prisma, service)).permissions).toEqual(['items:read']);
      expect(await permissionNames()).toEqual(['items:read']);

      expect(await deletePermission(prisma, 'items:write')).toBe(false);
      expect(await deletePermission(prisma, 'never:existed')).toBe(false);
    });
  });

  describe('service client authorizations', () => {
    beforeEach(async () => {
      await createRole(prisma, { name: 'inventory', permissions: ['items:read', 'items:write'] });
      await createRole(prisma, { name: 'reporter', permissions: ['reports:read'] });
    });

    it('assigns roles idempotently and answers the direct roles and permissions', async () => {
      expect(await assignClientRoles(prisma, service, ['reporter', 'inventory'])).toEqual({
        clientId: service,
        roles: ['inventory', 'reporter'],
        permissions: [],
      });
      expect(await assignClientRoles(prisma, service, ['inventory'])).toEqual({
        clientId: service,
        roles: ['inventory', 'reporter'],
        permissions: [],
      });
      // What its client_credentials tokens carry: role-derived permissions included.
      expect(await getClientAuthorizations(prisma, service)).toEqual({
        roles: ['inventory', 'reporter'],
        permissions: ['items:read', 'items:write', 'reports:read'],
      });
    });

    it('assigns none of the roles when one is unknown', async () => {
      const attempt = assignClientRoles(prisma, service, ['inventory', 'ghost']);
      await expect(attempt).rejects.toThrow(AdminNotFoundError);
      await expect(assignClientRoles(prisma, service, ['ghost', 'reporter'])).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        key: 'ghost',
      });
      expect((await getClientAuthorizations(prisma, service)).roles).toEqual([]);
    });

    it('unassigns one role; a role the client lacks is a no-op; an unknown role is not found', async () => {
      await assignClientRoles(prisma, service, ['inventory', 'reporter']);
      expect((await unassignClientRole(prisma, service, 'inventory'))?.roles).toEqual(['reporter']);
      expect((await unassignClientRole(prisma, service, 'inventory'))?.roles).toEqual(['reporter']);
      await expect(unassignClientRole(prisma, service, 'ghost')).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        key: 'ghost',
      });
    });

    it('grants permissions idempotently, creating unknown ones, and revokes one at a time', async () => {
      expect(await grantClientPermissions(prisma, service, ['items:delete', 'items:read'])).toEqual({
        clientId: service,
        roles: [],
        permissions: ['items:delete', 'items:read'],
      });
      expect((await grantClientPermissions(prisma, service, ['items:read']))?.permissions).toEqual([
        'items:delete',
        'items:read',
      ]);
      expect(await permissionNames()).toContain('items:delete');

      expect((await revokeClientPermission(prisma, service, 'items:delete'))?.permissions).toEqual([
        'items:read',
      ]);
      expect((await revokeClientPermission(prisma, service, 'items:delete'))?.permissions).toEqual([
        'items:read',
      ]);
      await expect(revokeClientPermission(prisma, service, 'never:existed')).rejects.toMatchObject({
        code: 'ERR_DB_NOT_FOUND',
        resource: 'permission',
        key: 'never:existed',
      });
    });

    it('revoking a direct permission leaves the same permission coming from a role', async () => {
      await assignClientRoles(prisma, service, ['inventory']);
      await grantClientPermissions(prisma, service, ['items:read']);
      expect((await revokeClientPermission(prisma, service, 'items:read'))?.permissions).toEqual([]);
      expect((await getClientAuthorizations(prisma, service)).permissions).toEqual([
        'items:read',
        'items:write',
      ]);
    });

    it('answers null for an unknown client, before looking at the roles or permissions', async () => {
      expect(await assignClientRoles(prisma, 'ghost-client', ['inventory'])).toBeNull();
      expect(await assignClientRoles(prisma, 'ghost-client', ['ghost'])).toBeNull();
      expect(await unassignClientRole(prisma, 'ghost-client', 'ghost')).toBeNull();
      expect(await grantClientPermissions(prisma, 'ghost-client', ['items:read'])).toBeNull();
      expect(await revokeClientPermission(prisma, 'ghost-client', 'never:existed')).toBeNull();
      // Nothing was created on the way.
      expect(await permissionNames()).toEqual(['items:read', 'items:write', 'reports:read']);
    });

    it('loses its links when the client is deleted (cascade)', async () => {
      await assignClientRoles(prisma, service, ['inventory']);
      await grantClientPermissions(prisma, service, ['items:delete']);
      await prisma.client.delete({ where: { id: service } });
      expect(await prisma.clientRole.count()).toBe(0);
      expect(await prisma.clientPermission.count()).toBe(0);
      expect(await assignClientRoles(prisma, service, ['inventory'])).toBeNull();
    });
  });
});
