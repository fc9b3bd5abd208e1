import { Prisma, type PrismaClient } from '../generated/client.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
import { isUuid } from './users.js';

/**
 * API keys for machines (issue 8): the stored record of each issued key. The key itself is never stored,
 * only its keyed hash (`secretHash`), and no view meant for the admin API carries that hash: only
 * `listPublishableApiKeys`, which feeds the signed records resource servers check keys against, reads it.
 */

/** Exactly one owner: a user (by id) or a service client (by client id). */
export type ApiKeyOwnerRef = { userId: string } | { clientId: string };

/** The owner as the admin API shows it. */
export type ApiKeyOwner = { type: 'user'; id: string; username: string } | { type: 'client'; id: string };

/** A key as the admin API shows it: never the key, never its hash. */
export interface ApiKeyView {
  /** The public id: the `<id>` of `pcl_<id>_<secret>`. */
  id: string;
  name: string;
  owner: ApiKeyOwner;
  resource: string;
  scopes: string[];
  roles: string[];
  permissions: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  rotatedFromId: string | null;
  /** The admin who issued it (actor), when known. */
  createdBy: string | null;
  createdAt: Date;
}

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export interface NewApiKey {
  id: string;
  name: string;
  /** hashApiKey(API_KEY_HASH_KEY, key): computed by the app, which alone holds the hash key. */
  secretHash: string;
  owner: ApiKeyOwnerRef;
  resource: string;
  scopes: string[];
  roles: string[];
  permissions: string[];
  expiresAt?: Date | null | undefined;
  rotatedFromId?: string | null | undefined;
  createdBy?: string | null | undefined;
}

export interface ApiKeyListQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  userId?: string | undefined;
  clientId?: string | undefined;
  status?: ApiKeyStatus | undefined;
  /** The instant `status` is judged at; default now. */
  now?: Date | undefined;
}

export interface ApiKeyPage {
  apiKeys: ApiKeyView[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A role the owner holds, with the permissions it carries now. */
export interface OwnerRole {
  name: string;
  permissions: string[];
}

/**
 * An active key with what its owner holds right now: what the auth server signs into the record resource
 * servers check keys against. The app narrows the key's roles and permissions to the owner's.
 */
export interface PublishableApiKey {
  id: string;
  secretHash: string;
  ownerType: 'user' | 'client';
  /** The user id or client id. */
  ownerId: string;
  resource: string;
  scopes: string[];
  roles: string[];
  permissions: string[];
  expiresAt: Date | null;
  createdAt: Date;
  /** The owner's roles now, each with its permissions. */
  ownerRoles: OwnerRole[];
  /** The owner's direct permissions now. */
  ownerPermissions: string[];
  /** A client owner's allowed scopes now; undefined for a user (users have no scope list of their own). */
  ownerScopes: string[] | undefined;
}

/**
 * The id is taken (two keys drew the same 80 random bits, or a retried insert): generate another key and
 * try again. Stable `code`.
 */
export class ApiKeyIdTakenError extends Error {
  readonly code = 'ERR_DB_API_KEY_ID_TAKEN';
  constructor() {
    super('api key id already taken');
    this.name = 'ApiKeyIdTakenError';
  }
}

const viewFields = {
  id: true,
  name: true,
  userId: true,
  clientId: true,
  user: { select: { username: true } },
  resource: true,
  scopes: true,
  roles: true,
  permissions: true,
  expiresAt: true,
  revokedAt: true,
  rotatedFromId: true,
  createdBy: true,
  createdAt: true,
} as const satisfies Prisma.ApiKeySelect;

type ViewRow = Prisma.ApiKeyGetPayload<{ select: typeof viewFields }>;

const ownerAuthorizations = {
  roles: {
    select: {
      role: { select: { name: true, permissions: { select: { permission: { select: { name: true } } } } } },
    },
  },
  permissions: { select: { permission: { select: { name: true } } } },
} as const;

const publishableFields = {
  id: true,
  secretHash: true,
  userId: true,
  clientId: true,
  resource: true,
  scopes: true,
  roles: true,
  permissions: true,
  expiresAt: true,
  createdAt: true,
  user: { select: ownerAuthorizations },
  client: { select: { scopes: true, ...ownerAuthorizations } },
} as const satisfies Prisma.ApiKeySelect;

type PublishableRow = Prisma.ApiKeyGetPayload<{ select: typeof publishableFields }>;

/**
 * Stores a new key. The table has no CHECK for "exactly one owner" (it crashes the offline schema engine),
 * so this is where that rule lives.
 *
 * @example
 * const view = await createApiKey(prisma, { id, name, secretHash, owner: { clientId: 'billing' }, resource, scopes, roles: [], permissions: [] });
 * @throws {TypeError} not exactly one owner.
 * @throws {ApiKeyIdTakenError} the id exists already: generate a new key and retry.
 */
export async function createApiKey(prisma: PrismaClient, input: NewApiKey): Promise<ApiKeyView> {
  const row = await insertApiKey(prisma, input);
  return toView(row);
}

/** The key by id, or null; revoked and expired keys included. */
export async function getApiKey(prisma: PrismaClient, id: string): Promise<ApiKeyView | null> {
  const row = await prisma.apiKey.findUnique({ where: { id }, select: viewFields });
  return row ? toView(row) : null;
}

/**
 * Keyset pagination in (createdAt, id) order, oldest first, like the other admin lists.
 *
 * @example
 * const page = await listApiKeys(prisma, { limit: 20, clientId: 'billing', status: 'active' });
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function listApiKeys(prisma: PrismaClient, query: ApiKeyListQuery): Promise<ApiKeyPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`listApiKeys: limit must be a positive integer, got ${query.limit}`);
  }
  const now = query.now ?? new Date();
  const cursor = query.after === undefined ? undefined : decodeKeysetCursor(query.after, (id) => id !== '');
  const conditions: Prisma.ApiKeyWhereInput[] = [];
  if (query.userId !== undefined) {
    // A malformed user id matches nothing (and must not reach a uuid column).
    conditions.push(isUuid(query.userId) ? { userId: query.userId } : { id: { in: [] } });
  }
  if (query.clientId !== undefined) conditions.push({ clientId: query.clientId });
  if (query.status !== undefined) conditions.push(statusCondition(query.status, now));
  if (cursor) {
    conditions.push({
      createdAt: { gte: cursor.at },
      OR: [{ createdAt: { gt: cursor.at } }, { id: { gt: cursor.id } }],
    });
  }
  const rows = await prisma.apiKey.findMany({
    where: { AND: conditions },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
    select: viewFields,
  });
  const apiKeys = rows.slice(0, query.limit).map(toView);
  const last = apiKeys.at(-1);
  return {
    apiKeys,
    nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last.createdAt, last.id) : null,
  };
}

/** Where a key stands at `now`: revoked wins over expired. */
export function apiKeyStatus(
  key: Pick<ApiKeyView, 'revokedAt' | 'expiresAt'>,
  now = new Date(),
): ApiKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/**
 * Sets revokedAt unless it is set already (the first revocation's instant stays); null for an unknown id.
 *
 * @example
 * const key = await revokeApiKey(prisma, id, new Date());
 */
export async function revokeApiKey(prisma: PrismaClient, id: string, at: Date): Promise<ApiKeyView | null> {
  await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
  return getApiKey(prisma, id);
}

export interface ApiKeyRotation {
  /** The key rotated away from, after the change (revoked, or expiring at the end of the grace). */
  previous: ApiKeyView;
  next: ApiKeyView;
}

/**
 * Issues `next` in place of `fromId` in one transaction: same owner, name, resource, scopes, roles,
 * permissions and expiry, `rotatedFromId` = fromId; the old key is revoked at `retireAt` when that is now
 * (`graceEndsAt` undefined) or else gets its expiry brought forward to `graceEndsAt` (never pushed later).
 * Null when `fromId` is unknown, or not active (revoked or expired) at `now`.
 *
 * @throws {ApiKeyIdTakenError} the new id exists already.
 */
export async function rotateApiKey(
  prisma: PrismaClient,
  fromId: string,
  next: { id: string; secretHash: string; createdBy?: string | null | undefined },
  timing: { now: Date; graceEndsAt?: Date | undefined },
): Promise<ApiKeyRotation | null> {
  return prisma.$transaction(async (tx) => {
    // The row lock makes two concurrent rotations of one key serialise: the second sees it retired.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "api_keys" WHERE "id" = ${fromId} FOR UPDATE`;
    if (locked.length === 0) return null;
    const from = await tx.apiKey.findUniqueOrThrow({ where: { id: fromId } });
    if (apiKeyStatus(from, timing.now) !== 'active') return null;
    // Rotated already (its grace running): a second rotation, e.g. a retried command, would give a key that
    // inherits the grace's end as its expiry. The successor is the key to rotate.
    if ((await tx.apiKey.count({ where: { rotatedFromId: fromId } })) > 0) return null;
    // Rotating within a grace already running must not extend it.
    const graceEndsAt =
      timing.graceEndsAt && from.expiresAt && from.expiresAt < timing.graceEndsAt
        ? from.expiresAt
        : timing.graceEndsAt;
    await tx.apiKey.update({
      where: { id: fromId },
      data: graceEndsAt ? { expiresAt: graceEndsAt } : { revokedAt: timing.now },
      select: { id: true },
    });
    const created = await insertApiKey(tx, {
      id: next.id,
      name: from.name,
      secretHash: next.secretHash,
      owner: from.userId ? { userId: from.userId } : { clientId: from.clientId ?? '' },
      resource: from.resource,
      scopes: from.scopes,
      roles: from.roles,
      permissions: from.permissions,
      expiresAt: from.expiresAt,
      rotatedFromId: from.id,
      createdBy: next.createdBy ?? null,
    });
    const previous = await tx.apiKey.findUniqueOrThrow({ where: { id: fromId }, select: viewFields });
    return { previous: toView(previous), next: toView(created) };
  });
}

/**
 * Every key a resource server may accept at `now`: not revoked, not expired, and owned by a user or client
 * that exists and is not disabled, with the owner's current roles, permissions and (clients) scopes.
 * With `ids`, only those keys (publishing one key just issued).
 *
 * @example
 * for (const key of await listPublishableApiKeys(prisma, new Date())) await publish(key);
 */
export async function listPublishableApiKeys(
  prisma: PrismaClient,
  now: Date,
  ids?: readonly string[],
): Promise<PublishableApiKey[]> {
  const rows = await prisma.apiKey.findMany({
    where: {
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      AND: [
        { OR: [{ user: { disabled: false } }, { client: { disabled: false } }] },
        ...(ids ? [{ id: { in: [...ids] } }] : []),
      ],
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: publishableFields,
  });
  return rows.flatMap((row) => toPublishable(row) ?? []);
}

/**
 * Revokes every key of the owner created at or before `cutoff` and not revoked yet, setting revokedAt =
 * `at`; answers their ids. What a `user` or `client` revocation (disable, delete, revoke-all) does to keys,
 * so that they never come back.
 */
export async function revokeOwnerApiKeys(
  prisma: PrismaClient,
  owner: ApiKeyOwnerRef,
  cutoff: Date,
  at: Date,
): Promise<string[]> {
  if ('userId' in owner && !isUuid(owner.userId)) return [];
  const where: Prisma.ApiKeyWhereInput = {
    ...('userId' in owner ? { userId: owner.userId } : { clientId: owner.clientId }),
    revokedAt: null,
    createdAt: { lte: cutoff },
  };
  return prisma.$transaction(async (tx) => {
    const rows = await tx.apiKey.findMany({ where, select: { id: true } });
    const ids = rows.map((row) => row.id);
    if (ids.length > 0) {
      await tx.apiKey.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: at } });
    }
    return ids;
  });
}

type Db = PrismaClient | Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function insertApiKey(db: Db, input: NewApiKey): Promise<ViewRow> {
  const owner = input.owner as { userId?: unknown; clientId?: unknown };
  const hasUser = typeof owner.userId === 'string' && owner.userId !== '';
  const hasClient = typeof owner.clientId === 'string' && owner.clientId !== '';
  if (hasUser === hasClient) throw new TypeError('createApiKey: give exactly one owner (userId or clientId)');
  try {
    return await db.apiKey.create({
      data: {
        id: input.id,
        name: input.name,
        secretHash: input.secretHash,
        userId: hasUser ? (owner.userId as string) : null,
        clientId: hasClient ? (owner.clientId as string) : null,
        resource: input.resource,
        scopes: input.scopes,
        roles: input.roles,
        permissions: input.permissions,
        expiresAt: input.expiresAt ?? null,
        rotatedFromId: input.rotatedFromId ?? null,
        createdBy: input.createdBy ?? null,
      },
      select: viewFields,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new ApiKeyIdTakenError();
    }
    throw error;
  }
}

function statusCondition(status: ApiKeyStatus, now: Date): Prisma.ApiKeyWhereInput {
  switch (status) {
    case 'revoked':
      return { revokedAt: { not: null } };
    case 'expired':
      return { revokedAt: null, expiresAt: { lte: now } };
    case 'active':
      return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  }
}

function toView(row: ViewRow): ApiKeyView {
  const owner: ApiKeyOwner = row.userId
    ? { type: 'user', id: row.userId, username: row.user?.username ?? '' }
    : { type: 'client', id: row.clientId ?? '' };
  return {
    id: row.id,
    name: row.name,
    owner,
    resource: row.resource,
    scopes: row.scopes,
    roles: row.roles,
    permissions: row.permissions,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    rotatedFromId: row.rotatedFromId,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

type OwnerRow = {
  roles: { role: { name: string; permissions: { permission: { name: string } }[] } }[];
  permissions: { permission: { name: string } }[];
};

function toPublishable(row: PublishableRow): PublishableApiKey | undefined {
  const owner: OwnerRow | null = row.user ?? row.client;
  const ownerId = row.userId ?? row.clientId;
  if (!owner || !ownerId) return undefined;
  return {
    id: row.id,
    secretHash: row.secretHash,
    ownerType: row.userId ? 'user' : 'client',
    ownerId,
    resource: row.resource,
    scopes: row.scopes,
    roles: row.roles,
    permissions: row.permissions,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    ownerRoles: owner.roles.map(({ role }) => ({
      name: role.name,
      permissions: role.permissions.map((link) => link.permission.name),
    })),
    ownerPermissions: owner.permissions.map((link) => link.permission.name),
    ownerScopes: row.client?.scopes,
  };
}
