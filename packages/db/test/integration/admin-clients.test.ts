import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openTestPrismaDatabase, type TestPrismaDatabase } from '../../../../test/support/test-database.js';
import type { PrismaClient } from '../../src/prisma-client.js';
import {
  type AdminClient,
  createClient,
  deleteClient,
  getClient,
  listClients,
  type NewClient,
  replaceClientSecretHash,
  updateClient,
} from '../../src/repositories/admin-clients.js';
import { AdminConflictError, AdminNotFoundError } from '../../src/repositories/admin-errors.js';
import { InvalidCursorError } from '../../src/repositories/items.js';
import { upsertRole } from '../../src/repositories/provisioning.js';

const service: NewClient = {
  id: 'billing-service',
  secretHash: 'a'.repeat(64),
  grantTypes: ['client_credentials'],
  scopes: ['items:read'],
};

/** The admin clients repository against real PostgreSQL. */
describe('admin clients repository', () => {
  let database: TestPrismaDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await openTestPrismaDatabase();
    prisma = database.prisma;
  });
  afterAll(async () => database?.close());
  beforeEach(async () => {
    await prisma.oidcArtifact.deleteMany();
    await prisma.client.deleteMany();
    await prisma.role.deleteMany();
    await prisma.permission.deleteMany();
  });

  /** Clients with distinct, known creation times: the order the tests expect does not hang on the clock. */
  async function seed(ids: string[]): Promise<AdminClient[]> {
    const base = Date.UTC(2030, 0, 1);
    const clients: AdminClient[] = [];
    for (const [index, id] of ids.entries()) {
      await createClient(prisma, { ...service, id, name: `Client ${index}` });
      await prisma.client.update({ where: { id }, data: { createdAt: new Date(base + index * 1000) } });
      clients.push((await getClient(prisma, id))!);
    }
    return clients;
  }

  async function storeArtifact(model: string, id: string, clientId?: string): Promise<void> {
    await prisma.oidcArtifact.create({
      data: {
        model,
        id,
        payload: { jti: id, kind: model, ...(clientId !== undefined ? { clientId } : {}) },
        grantId: model === 'Session' ? null : `grant-of-${clientId ?? 'nobody'}`,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
  }

  async function artifactIds(): Promise<string[]> {
    const rows = await prisma.oidcArtifact.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    return rows.map((row) => row.id);
  }

  describe('createClient and getClient', () => {
    it('creates a client with defaults, never answering the secret hash, and finds it by id', async () => {
      const created = await createClient(prisma, service);

      expect(created).toEqual({
        id: 'billing-service',
        name: 'billing-service',
        grantTypes: ['client_credentials'],
        scopes: ['items:read'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        firstParty: false,
        introspection: false,
        disabled: false,
        roles: [],
        permissions: [],
        hasSecret: true,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(JSON.stringify(created)).not.toContain('a'.repeat(64));
      expect(await getClient(prisma, service.id)).toEqual(created);
      const stored = await prisma.client.findUniqueOrThrow({ where: { id: service.id } });
      expect(stored.secretHash).toBe('a'.repeat(64));
    });

    it('links existing roles and upserts permissions, answering both sorted and deduplicated', async () => {
      await upsertRole(prisma, { name: 'billing', permissions: ['invoices:read'] });
      await upsertRole(prisma, { name: 'auditor', permissions: [] });
      const existing = await prisma.permission.create({ data: { name: 'items:write' } });

      const created = await createClient(prisma, {
        ...service,
        name: 'Billing',
        tokenEndpointAuthMethod: 'client_secret_post',
        firstParty: true,
        introspection: true,
        roles: ['billing', 'auditor', 'billing'],
        permissions: ['items:write', 'items:delete', 'items:delete'],
      });

      expect(created).toMatchObject({
        name: 'Billing',
        tokenEndpointAuthMethod: 'client_secret_post',
        firstParty: true,
        introspection: true,
        roles: ['auditor', 'billing'],
        permissions: ['items:delete', 'items:write'],
      });
      const permissions = await prisma.permission.findMany({ orderBy: { name: 'asc' } });
      expect(permissions.map((permission) => permission.name)).toEqual([
        'invoices:read',
        'items:delete',
        'items:write',
      ]);
      expect(permissions.find((permission) => permission.name === 'items:write')?.id).toBe(existing.id);
    });

    it('creates a public client without a secret', async () => {
      const created = await createClient(prisma, {
        ...service,
        id: 'spa',
        secretHash: null,
        grantTypes: ['authorization_code', 'refresh_token'],
      });
      expect(created).toMatchObject({ id: 'spa', hasSecret: false });
    });

    it('refuses a taken id with AdminConflictError and leaves the existing client as it was', async () => {
      const original = await createClient(prisma, service);

      const attempt = createClient(prisma, { ...service, name: 'Impostor', permissions: ['items:admin'] });
      await expect(attempt).rejects.toThrow(AdminConflictError);
      await expect(attempt).rejects.toMatchObject({ name: 'AdminConflictError', code: 'ERR_DB_CONFLICT' });
      expect(await getClient(prisma, service.id)).toEqual(original);
      expect(await prisma.permission.count()).toBe(0);
    });

    it('rolls everything back on an unknown role: no client, no links, no new permissions', async () => {
      await upsertRole(prisma, { name: 'billing', permissions: [] });

      const attempt = createClient(prisma, {
        ...service,
        roles: ['billing', 'ghost'],
        permissions: ['items:read'],
      });
      await expect(attempt).rejects.toThrow(AdminNotFoundError);
      await expect(attempt).rejects.toMatchObject({
        name: 'AdminNotFoundError',
        code: 'ERR_DB_NOT_FOUND',
        resource: 'role',
        message: 'role not found: ghost',
      });
      expect(await getClient(prisma, service.id)).toBeNull();
      expect(await prisma.clientRole.count()).toBe(0);
      expect(await prisma.clientPermission.count()).toBe(0);
      expect(await prisma.permission.count()).toBe(0);
      // The id is free again: nothing half-created blocks a corrected retry.
      await expect(createClient(prisma, { ...service, roles: ['billing'] })).resolves.toMatchObject({
        roles: ['billing'],
      });
    });

    it('answers null for an unknown id', async () => {
      expect(await getClient(prisma, 'nobody')).toBeNull();
    });
  });

  describe('listClients', () => {
    it('pages through 25 clients, 10 at a time, in (createdAt, id) order without duplicates or gaps', async () => {
      const seeded = await seed(Array.from({ length: 25 }, (_, index) => `client-${25 - index}`));

      const pages: AdminClient[][] = [];
      let after: string | undefined;
      do {
        const page = await listClients(prisma, { limit: 10, after });
        pages.push(page.clients);
        after = page.nextCursor ?? undefined;
      } while (after !== undefined && pages.length < 10);

      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(seeded);
    });

    it('orders by id among clients created in the same millisecond, resuming inside the tie, even for ids with |', async () => {
      await seed(['d', 'a|b', 'c', 'a', 'b|', 'e']);
      await prisma.client.updateMany({ data: { createdAt: new Date(Date.UTC(2030, 5, 1)) } });
      // PostgreSQL's collation, not JavaScript's code-unit order, decides: ask it.
      const byId = (await prisma.client.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
        (client) => client.id,
      );

      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 6; page++) {
        const result = await listClients(prisma, { limit: 2, after });
        seen.push(...result.clients.map((client) => client.id));
        after = result.nextCursor ?? undefined;
        if (after === undefined) break;
      }
      expect(seen).toEqual(byId);
    });

    it('gives no next cursor when the page holds exactly the remaining clients, and an empty page on none', async () => {
      await seed(['a', 'b', 'c']);
      const page = await listClients(prisma, { limit: 3 });
      expect(page.clients).toHaveLength(3);
      expect(page.nextCursor).toBeNull();
      await prisma.client.deleteMany();
      expect(await listClients(prisma, { limit: 3 })).toEqual({ clients: [], nextCursor: null });
    });

    it('searches id or name case-insensitively, treating % and _ literally', async () => {
      await createClient(prisma, { ...service, id: 'billing-service', name: 'Invoices' });
      await createClient(prisma, { ...service, id: 'reports', name: 'Monthly BILLING reports' });
      await createClient(prisma, { ...service, id: 'spa_app', name: '100% frontend' });
      await createClient(prisma, { ...service, id: 'spaXapp', name: '100 frontend' });

      const ids = async (search: string) =>
        (await listClients(prisma, { limit: 10, search })).clients.map((client) => client.id).sort();
      expect(await ids('Billing')).toEqual(['billing-service', 'reports']);
      expect(await ids('INVOICE')).toEqual(['billing-service']);
      expect(await ids('spa_')).toEqual(['spa_app']);
      expect(await ids('0%')).toEqual(['spa_app']);
      expect(await ids('\\')).toEqual([]);
      expect(await ids('nothing like it')).toEqual([]);
    });

    it('pages within a search', async () => {
      const seeded = await seed(['svc-1', 'other-1', 'svc-2', 'other-2', 'svc-3']);
      const first = await listClients(prisma, { limit: 2, search: 'SVC' });
      const second = await listClients(prisma, {
        limit: 2,
        search: 'SVC',
        after: first.nextCursor ?? undefined,
      });
      expect([...first.clients, ...second.clients].map((client) => client.id)).toEqual(
        seeded.filter((client) => client.id.startsWith('svc')).map((client) => client.id),
      );
      expect(second.nextCursor).toBeNull();
    });

    it.each([
      ['not base64url', '***'],
      ['no separator', Buffer.from('hello').toString('base64url')],
      ['a bad date', Buffer.from('yesterday|client').toString('base64url')],
      ['an empty id', Buffer.from('2030-01-01T00:00:00.000Z|').toString('base64url')],
      ['a non-canonical date', Buffer.from('2030-01-01T00:00:00Z|client').toString('base64url')],
      ['an empty string', ''],
    ])('rejects a cursor with %s', async (_label, after) => {
      await expect(listClients(prisma, { limit: 10, after })).rejects.toThrow(InvalidCursorError);
    });

    it('rejects a limit that is not a positive integer', async () => {
      await expect(listClients(prisma, { limit: 0 })).rejects.toThrow(RangeError);
      await expect(listClients(prisma, { limit: 1.5 })).rejects.toThrow(RangeError);
    });
  });

  describe('updateClient', () => {
    it('changes the given fields only, answers before and after, and bumps updatedAt', async () => {
      await upsertRole(prisma, { name: 'billing', permissions: [] });
      await createClient(prisma, { ...service, roles: ['billing'], permissions: ['items:read'] });
      const stale = new Date(Date.UTC(2020, 0, 1));
      await prisma.client.update({ where: { id: service.id }, data: { updatedAt: stale } });
      const before = (await getClient(prisma, service.id))!;

      const result = await updateClient(prisma, service.id, {
        name: 'Billing v2',
        scopes: ['items:read', 'items:write'],
        tokenEndpointAuthMethod: 'client_secret_post',
        firstParty: true,
        introspection: true,
      });

      expect(result).toEqual({
        before,
        after: {
          ...before,
          name: 'Billing v2',
          scopes: ['items:read', 'items:write'],
          tokenEndpointAuthMethod: 'client_secret_post',
          firstParty: true,
          introspection: true,
          updatedAt: expect.any(Date),
        },
        artifactsDeleted: 0,
      });
      expect(result!.after.updatedAt.getTime()).toBeGreaterThan(stale.getTime());
      expect(await getClient(prisma, service.id)).toEqual(result!.after);
    });

    it('with no changes, answers the client as it is without bumping updatedAt', async () => {
      const created = await createClient(prisma, service);
      expect(await updateClient(prisma, service.id, {})).toEqual({
        before: created,
        after: created,
        artifactsDeleted: 0,
      });
      expect(await getClient(prisma, service.id)).toEqual(created);
    });

    it('answers null for an unknown id', async () => {
      expect(await updateClient(prisma, 'nobody', { name: 'x' })).toBeNull();
      expect(await updateClient(prisma, 'nobody', {})).toBeNull();
    });

    it("disabling deletes the client's stored grants and tokens, and only those", async () => {
      await createClient(prisma, service);
      await createClient(prisma, { ...service, id: 'other' });
      await storeArtifact('Grant', 'g-mine', service.id);
      await storeArtifact('RefreshToken', 'rt-mine', service.id);
      await storeArtifact('AccessToken', 'at-mine', service.id);
      await storeArtifact('Grant', 'g-other', 'other');
      await storeArtifact('RefreshToken', 'rt-other', 'other');
      await storeArtifact('Session', 's-1');

      const result = await updateClient(prisma, service.id, { disabled: true });

      expect(result).toMatchObject({
        before: { disabled: false },
        after: { disabled: true },
        artifactsDeleted: 3,
      });
      expect(await artifactIds()).toEqual(['g-other', 'rt-other', 's-1']);
    });

    it('leaves artifacts alone for other changes and when enabling', async () => {
      await createClient(prisma, service);
      await storeArtifact('RefreshToken', 'rt-mine', service.id);

      expect((await updateClient(prisma, service.id, { name: 'renamed' }))?.artifactsDeleted).toBe(0);
      expect((await updateClient(prisma, service.id, { disabled: false }))?.artifactsDeleted).toBe(0);
      expect(await artifactIds()).toEqual(['rt-mine']);
    });

    it('disabling an already disabled client still sweeps its artifacts', async () => {
      await createClient(prisma, service);
      await updateClient(prisma, service.id, { disabled: true });
      await storeArtifact('Grant', 'g-late', service.id);

      const result = await updateClient(prisma, service.id, { disabled: true });
      expect(result).toMatchObject({
        before: { disabled: true },
        after: { disabled: true },
        artifactsDeleted: 1,
      });
      expect(await artifactIds()).toEqual([]);
    });
  });

  describe('replaceClientSecretHash', () => {
    it('replaces the stored hash, and gives a public client a secret', async () => {
      await createClient(prisma, service);
      await createClient(prisma, { ...service, id: 'spa', secretHash: null });

      expect(await replaceClientSecretHash(prisma, service.id, 'b'.repeat(64))).toBe(true);
      expect(await replaceClientSecretHash(prisma, 'spa', 'c'.repeat(64))).toBe(true);

      const stored = await prisma.client.findMany({
        select: { id: true, secretHash: true },
        orderBy: { id: 'asc' },
      });
      expect(stored).toEqual([
        { id: service.id, secretHash: 'b'.repeat(64) },
        { id: 'spa', secretHash: 'c'.repeat(64) },
      ]);
      expect(await getClient(prisma, 'spa')).toMatchObject({ hasSecret: true });
    });

    it('answers false for an unknown id', async () => {
      expect(await replaceClientSecretHash(prisma, 'nobody', 'b'.repeat(64))).toBe(false);
    });
  });

  describe('deleteClient', () => {
    it('deletes the client, its links and its artifacts, answering the deleted record', async () => {
      await upsertRole(prisma, { name: 'billing', permissions: ['invoices:read'] });
      const created = await createClient(prisma, {
        ...service,
        roles: ['billing'],
        permissions: ['items:read'],
      });
      await createClient(prisma, { ...service, id: 'other', roles: ['billing'] });
      await storeArtifact('Grant', 'g-mine', service.id);
      await storeArtifact('RefreshToken', 'rt-mine', service.id);
      await storeArtifact('ClientCredentials', 'cc-mine', service.id);
      await storeArtifact('RefreshToken', 'rt-other', 'other');
      await storeArtifact('Session', 's-1');

      expect(await deleteClient(prisma, service.id)).toEqual({ deleted: created, artifactsDeleted: 3 });

      expect(await getClient(prisma, service.id)).toBeNull();
      expect(await artifactIds()).toEqual(['rt-other', 's-1']);
      expect(await prisma.clientRole.count({ where: { clientId: service.id } })).toBe(0);
      expect(await prisma.clientPermission.count({ where: { clientId: service.id } })).toBe(0);
      // Roles and permissions are shared: they stay.
      expect(await getClient(prisma, 'other')).toMatchObject({ roles: ['billing'] });
      expect(
        await prisma.permission.count({ where: { name: { in: ['items:read', 'invoices:read'] } } }),
      ).toBe(2);
    });

    it('answers null for an unknown or already deleted id', async () => {
      await createClient(prisma, service);
      expect(await deleteClient(prisma, service.id)).not.toBeNull();
      expect(await deleteClient(prisma, service.id)).toBeNull();
      expect(await deleteClient(prisma, 'nobody')).toBeNull();
    });
  });
});
