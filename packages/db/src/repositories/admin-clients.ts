import { Prisma, type PrismaClient } from '../generated/client.js';
import { AdminConflictError } from './admin-errors.js';
import { ensurePermissionIds, resolveRoleIds } from './admin-users.js';
import { decodeKeysetCursor, encodeKeysetCursor, escapeLike } from './keyset-cursor.js';

/** A client as the admin API shows it: never the secret hash, only whether there is one. */
export interface AdminClient {
  /** The OAuth client_id. */
  id: string;
  name: string;
  grantTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  firstParty: boolean;
  /** May call RFC 7662 introspection (a resource server). */
  introspection: boolean;
  disabled: boolean;
  /** Role names, sorted. */
  roles: string[];
  /** Names of permissions granted directly (not through a role), sorted. */
  permissions: string[];
  /** False for a public client. */
  hasSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** RFC 7591 token_endpoint_auth_method values Portcullis supports (one per client, as in Hydra). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientListQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  /** Case-insensitive substring of the id or the name, matched literally (`%` and `_` are not wildcards). */
  search?: string | undefined;
}

export interface ClientPage {
  clients: AdminClient[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface NewClient {
  id: string;
  /** Shown to admins; defaults to the id. */
  name?: string | undefined;
  /** HMAC of the secret under the server's pepper (the app computes it); null for a public client. */
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod?: ClientAuthMethod | undefined;
  firstParty?: boolean | undefined;
  /** May call RFC 7662 introspection; default false. */
  introspection?: boolean | undefined;
  /** Names of existing roles; an unknown one fails the whole creation. */
  roles?: string[] | undefined;
  /** Permission names, created when new. */
  permissions?: string[] | undefined;
}

export interface ClientChanges {
  name?: string | undefined;
  grantTypes?: string[] | undefined;
  scopes?: string[] | undefined;
  tokenEndpointAuthMethod?: ClientAuthMethod | undefined;
  firstParty?: boolean | undefined;
  introspection?: boolean | undefined;
  /** `true` also deletes the client's stored grants and tokens, in the same transaction. */
  disabled?: boolean | undefined;
}

export interface ClientUpdate {
  before: AdminClient;
  after: AdminClient;
  /** oidc-provider artifacts (grants, refresh tokens, ...) deleted because the client was disabled. */
  artifactsDeleted: number;
}

export interface ClientDeletion {
  /** The client as it was just before deletion. */
  deleted: AdminClient;
  /** oidc-provider artifacts (grants, refresh tokens, ...) deleted with it. */
  artifactsDeleted: number;
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

const clientFields = {
  id: true,
  name: true,
  secretHash: true,
  grantTypes: true,
  scopes: true,
  tokenEndpointAuthMethod: true,
  firstParty: true,
  introspection: true,
  disabled: true,
  createdAt: true,
  updatedAt: true,
  roles: { select: { role: { select: { name: true } } }, orderBy: { role: { name: 'asc' } } },
  permissions: {
    select: { permission: { select: { name: true } } },
    orderBy: { permission: { name: 'asc' } },
  },
} as const satisfies Prisma.ClientSelect;

type ClientRow = Prisma.ClientGetPayload<{ select: typeof clientFields }>;

/**
 * Keyset pagination in (createdAt, id) order, oldest first, like `listItems`.
 *
 * @example
 * const page = await listClients(prisma, { limit: 50, search: 'billing' });
 * const next = await listClients(prisma, { limit: 50, search: 'billing', after: page.nextCursor ?? undefined });
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function listClients(prisma: PrismaClient, query: ClientListQuery): Promise<ClientPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`listClients: limit must be a positive integer, got ${query.limit}`);
  }
  const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
  const conditions: Prisma.ClientWhereInput[] = [];
  if (query.search) {
    const contains = { contains: escapeLike(query.search), mode: 'insensitive' } as const;
    conditions.push({ OR: [{ id: contains }, { name: contains }] });
  }
  if (cursor) {
    conditions.push({
      createdAt: { gte: cursor.createdAt },
      OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }],
    });
  }
  const rows = await prisma.client.findMany({
    where: { AND: conditions },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
    select: clientFields,
  });
  const clients = rows.slice(0, query.limit).map(toAdminClient);
  const last = clients.at(-1);
  return { clients, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/**
 * @example
 * const client = await getClient(prisma, 'billing-service');
 * if (!client) throw new NotFound();
 */
export async function getClient(prisma: PrismaClient, id: string): Promise<AdminClient | null> {
  const row = await prisma.client.findUnique({ where: { id }, select: clientFields });
  return row ? toAdminClient(row) : null;
}

/**
 * Creates the client with its roles and direct permissions in one transaction: an unknown role leaves
 * nothing behind, not even the permissions it would have created.
 *
 * @example
 * const client = await createClient(prisma, {
 *   id: 'billing-service',
 *   secretHash: hashClientSecret(secret, pepper),
 *   grantTypes: ['client_credentials'],
 *   scopes: ['items:read'],
 *   roles: ['billing'],
 * });
 * @throws {AdminConflictError} when the id is taken.
 * @throws {AdminNotFoundError} (`resource: 'role'`) when a role does not exist.
 */
export async function createClient(prisma: PrismaClient, input: NewClient): Promise<AdminClient> {
  return prisma.$transaction(async (tx) => {
    try {
      await tx.client.create({
        data: {
          id: input.id,
          name: input.name ?? input.id,
          secretHash: input.secretHash,
          grantTypes: input.grantTypes,
          scopes: input.scopes,
          tokenEndpointAuthMethod: input.tokenEndpointAuthMethod ?? 'client_secret_basic',
          firstParty: input.firstParty ?? false,
          introspection: input.introspection ?? false,
        },
        select: { id: true },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AdminConflictError('client', ['id']);
      throw error;
    }
    const roles = await resolveRoleIds(tx, input.roles ?? []);
    const permissions = await ensurePermissionIds(tx, input.permissions ?? []);
    await tx.clientRole.createMany({ data: roles.map((roleId) => ({ clientId: input.id, roleId })) });
    await tx.clientPermission.createMany({
      data: permissions.map((permissionId) => ({ clientId: input.id, permissionId })),
    });
    return toAdminClient(
      await tx.client.findUniqueOrThrow({ where: { id: input.id }, select: clientFields }),
    );
  });
}

/**
 * Applies the changes and answers the client before and after, for the audit trail; null for an unknown id.
 * Setting `disabled: true` deletes every stored oidc-provider artifact issued to the client (grants,
 * refresh tokens, authorization codes, opaque access tokens) in the same transaction, so re-enabling it
 * does not revive old tokens. JWT access tokens already handed out stay valid until they expire unless
 * the app also records a `client` revocation.
 *
 * @example
 * const result = await updateClient(prisma, 'billing-service', { disabled: true });
 * if (!result) throw new NotFound();
 * audit({ type: 'client.updated', subject: result.after.id, details: { artifactsDeleted: result.artifactsDeleted } });
 */
export async function updateClient(
  prisma: PrismaClient,
  id: string,
  changes: ClientChanges,
): Promise<ClientUpdate | null> {
  const data = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.grantTypes !== undefined ? { grantTypes: changes.grantTypes } : {}),
    ...(changes.scopes !== undefined ? { scopes: changes.scopes } : {}),
    ...(changes.tokenEndpointAuthMethod !== undefined
      ? { tokenEndpointAuthMethod: changes.tokenEndpointAuthMethod }
      : {}),
    ...(changes.firstParty !== undefined ? { firstParty: changes.firstParty } : {}),
    ...(changes.introspection !== undefined ? { introspection: changes.introspection } : {}),
    ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
  } satisfies Prisma.ClientUpdateInput;
  return prisma.$transaction(async (tx) => {
    const before = await lockClient(tx, id);
    if (!before) return null;
    // Nothing to write: answer like an update would, without bumping updatedAt.
    if (Object.keys(data).length === 0) return { before, after: before, artifactsDeleted: 0 };
    const after = toAdminClient(await tx.client.update({ where: { id }, data, select: clientFields }));
    // Also when it was disabled already: converging is harmless and sweeps anything left by a race.
    const artifactsDeleted = changes.disabled === true ? await deleteClientArtifacts(tx, id) : 0;
    return { before, after, artifactsDeleted };
  });
}

/**
 * Rotates the secret: false for an unknown id. Existing grants and tokens stay valid (as in Hydra).
 *
 * @example
 * if (!(await replaceClientSecretHash(prisma, id, hashClientSecret(next, pepper)))) throw new NotFound();
 */
export async function replaceClientSecretHash(
  prisma: PrismaClient,
  id: string,
  secretHash: string,
): Promise<boolean> {
  const { count } = await prisma.client.updateMany({ where: { id }, data: { secretHash } });
  return count > 0;
}

/**
 * Deletes the client, its role and permission links, and every stored oidc-provider artifact issued to it,
 * in one transaction; null for an unknown id.
 *
 * @example
 * const result = await deleteClient(prisma, 'billing-service');
 * if (!result) throw new NotFound();
 */
export async function deleteClient(prisma: PrismaClient, id: string): Promise<ClientDeletion | null> {
  return prisma.$transaction(async (tx) => {
    const deleted = await lockClient(tx, id);
    if (!deleted) return null;
    const artifactsDeleted = await deleteClientArtifacts(tx, id);
    await tx.client.delete({ where: { id }, select: { id: true } });
    return { deleted, artifactsDeleted };
  });
}

/** Reads the client under a row lock, so `before` is exactly what the following write replaces. */
async function lockClient(tx: Tx, id: string): Promise<AdminClient | null> {
  const locked = await tx.$queryRaw<
    { id: string }[]
  >`SELECT "id" FROM "clients" WHERE "id" = ${id} FOR UPDATE`;
  if (locked.length === 0) return null;
  const row = await tx.client.findUnique({ where: { id }, select: clientFields });
  return row ? toAdminClient(row) : null;
}

/**
 * oidc-provider stores `clientId` in the payload of every client-bound artifact: Grant and all BaseToken
 * models (AccessToken, AuthorizationCode, RefreshToken, ClientCredentials, DeviceCode, ...). Sessions and
 * interactions do not carry it and stay. Not indexed: a sequential scan, acceptable for a rare admin write.
 */
async function deleteClientArtifacts(tx: Tx, clientId: string): Promise<number> {
  const { count } = await tx.oidcArtifact.deleteMany({
    where: { payload: { path: ['clientId'], equals: clientId } },
  });
  return count;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function toAdminClient(row: ClientRow): AdminClient {
  return {
    id: row.id,
    name: row.name,
    grantTypes: row.grantTypes,
    scopes: row.scopes,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    firstParty: row.firstParty,
    introspection: row.introspection,
    disabled: row.disabled,
    roles: row.roles.map((link) => link.role.name),
    permissions: row.permissions.map((link) => link.permission.name),
    hasSecret: row.secretHash !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function encodeCursor(row: Pick<AdminClient, 'createdAt' | 'id'>): string {
  return encodeKeysetCursor(row.createdAt, row.id);
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, (id) => id !== '');
  return { createdAt: at, id };
}
