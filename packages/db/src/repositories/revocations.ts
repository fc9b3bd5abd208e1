import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient, Revocation, RevocationKind as StoredKind } from '../generated/client.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
import { isUuid } from './users.js';

/**
 * Revocation records, the system of record for "this token / grant / user / client / key is revoked"
 * (DESIGN "Revocation"), and the oidc-provider artifacts a revocation deletes.
 */

/**
 * What a record revokes, as the API names it. The database enum predates the API and spells two of them
 * differently (`token` for a jti, `key` for a kid); this module is the only place that knows.
 */
export type RevocationKind = 'jti' | 'grant' | 'user' | 'client' | 'kid';

export interface RevocationRecord {
  id: string;
  kind: RevocationKind;
  /** The jti, grant id, user id, client id or kid. Never a token. */
  value: string;
  /** Tokens it concerns that were issued at or before this instant are refused. */
  revokedAt: Date;
  /** After this instant no token it concerns can still be valid; the record may then be purged. */
  expiresAt: Date;
  reason: string | null;
  /** Who revoked: a user id or client id. */
  actor: string | null;
}

export interface RevocationInput {
  kind: RevocationKind;
  value: string;
  revokedAt: Date;
  expiresAt: Date;
  reason?: string | null | undefined;
  actor?: string | null | undefined;
}

/** The oidc-provider artifacts a revocation deletes, so that nothing under it can be refreshed again. */
export type ArtifactScope = { grantId: string } | { accountId: string } | { clientId: string };

export interface RevocationWrite {
  revocation: RevocationRecord;
  /** How many stored artifacts (grants, refresh tokens, sessions, ...) went with it. */
  artifactsDeleted: number;
}

export interface RevocationListQuery {
  /** Page size, a positive integer; the app bounds it. */
  limit: number;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  kind?: RevocationKind | undefined;
  /** Only records still in force at this instant (expiresAt after it). */
  activeAt?: Date | undefined;
}

export interface RevocationPage {
  revocations: RevocationRecord[];
  /** Pass as `after` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const storedKinds = {
  jti: 'token',
  grant: 'grant',
  user: 'user',
  client: 'client',
  kid: 'key',
} as const satisfies Record<RevocationKind, StoredKind>;

const apiKinds = Object.fromEntries(
  Object.entries(storedKinds).map(([api, stored]) => [stored, api]),
) as Record<StoredKind, RevocationKind>;

/**
 * Writes the record and deletes the artifacts in one transaction: either the revocation is durable and
 * nothing under it can be refreshed, or neither happened.
 *
 * Revoking the same (kind, value) again keeps one record, with the later revokedAt and expiresAt of the two:
 * "issued at or before revokedAt" then covers every token either revocation covered (a later instant is a
 * superset), and GREATEST keeps that true even when another instance's clock is slightly behind. Reason and
 * actor describe the latest request; the audit log keeps every one.
 *
 * @example
 * const { revocation } = await recordRevocation(
 *   prisma,
 *   { kind: 'user', value: userId, revokedAt: now, expiresAt, actor: adminId },
 *   { accountId: userId },
 * );
 */
export async function recordRevocation(
  prisma: PrismaClient,
  input: RevocationInput,
  artifacts?: ArtifactScope,
): Promise<RevocationWrite> {
  const kind = storedKinds[input.kind];
  // Prisma's upsert cannot say GREATEST; timestamps go in as UTC text because the columns are
  // `timestamp without time zone` holding UTC, whatever the session's TimeZone is.
  const upsert = prisma.$executeRaw`
    INSERT INTO "revocations" ("id", "kind", "value", "revokedAt", "expiresAt", "reason", "actor")
    VALUES (
      ${randomUUID()}::uuid, ${kind}::"RevocationKind", ${input.value},
      ${input.revokedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC',
      ${input.expiresAt.toISOString()}::timestamptz AT TIME ZONE 'UTC',
      ${input.reason ?? null}, ${input.actor ?? null}
    )
    ON CONFLICT ("kind", "value") DO UPDATE SET
      "revokedAt" = GREATEST("revocations"."revokedAt", EXCLUDED."revokedAt"),
      "expiresAt" = GREATEST("revocations"."expiresAt", EXCLUDED."expiresAt"),
      "reason" = EXCLUDED."reason",
      "actor" = EXCLUDED."actor"`;
  const read = prisma.revocation.findUniqueOrThrow({ where: { kind_value: { kind, value: input.value } } });
  if (!artifacts) {
    const [, row] = await prisma.$transaction([upsert, read]);
    return { revocation: toRecord(row), artifactsDeleted: 0 };
  }
  const [deleted, , row] = await prisma.$transaction([
    prisma.oidcArtifact.deleteMany({ where: artifactsOf(artifacts) }),
    upsert,
    read,
  ]);
  return { revocation: toRecord(row), artifactsDeleted: deleted.count };
}

/**
 * oidc-provider stores `accountId` and `clientId` in the payload of grants, sessions and every token model,
 * and `grantId` both in the payload and in its own indexed column; the Grant itself is the row whose id is
 * the grant id. The payload paths are not indexed: a sequential scan, acceptable for a rare admin write.
 */
function artifactsOf(scope: ArtifactScope): Prisma.OidcArtifactWhereInput {
  if ('grantId' in scope) {
    return { OR: [{ grantId: scope.grantId }, { model: 'Grant', id: scope.grantId }] };
  }
  if ('accountId' in scope) return { payload: { path: ['accountId'], equals: scope.accountId } };
  return { payload: { path: ['clientId'], equals: scope.clientId } };
}

/**
 * Newest first, keyset-paginated in (revokedAt desc, id desc) order. A record revoked again moves to the
 * top with its new revokedAt, so a reader paging at that moment may see it twice or not at all on later
 * pages; every record is still listed by a fresh read.
 *
 * @throws {InvalidCursorError} when `after` is not a cursor this function issued.
 */
export async function listRevocations(
  prisma: PrismaClient,
  query: RevocationListQuery,
): Promise<RevocationPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`listRevocations: limit must be a positive integer, got ${query.limit}`);
  }
  const cursor = query.after === undefined ? undefined : decodeKeysetCursor(query.after, isUuid);
  const conditions: Prisma.RevocationWhereInput[] = [];
  if (query.kind !== undefined) conditions.push({ kind: storedKinds[query.kind] });
  if (query.activeAt !== undefined) conditions.push({ expiresAt: { gt: query.activeAt } });
  if (cursor) {
    conditions.push({
      revokedAt: { lte: cursor.at },
      OR: [{ revokedAt: { lt: cursor.at } }, { id: { lt: cursor.id } }],
    });
  }
  const rows = await prisma.revocation.findMany({
    where: { AND: conditions },
    orderBy: [{ revokedAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  const revocations = rows.slice(0, query.limit).map(toRecord);
  const last = revocations.at(-1);
  return {
    revocations,
    nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last.revokedAt, last.id) : null,
  };
}

/**
 * Every record in force at `at` (expiresAt after it), oldest first: what an auth server copies into Redis
 * when Redis lost revocations (flushed, restarted empty, or a broadcast that failed after the commit). A
 * record lives one access-token lifetime, so this is the revocations of the last few minutes, not history.
 *
 * @example
 * const inForce = await listActiveRevocations(prisma, new Date());
 */
export async function listActiveRevocations(
  prisma: PrismaClient,
  at: Date = new Date(),
): Promise<RevocationRecord[]> {
  const rows = await prisma.revocation.findMany({
    where: { expiresAt: { gt: at } },
    orderBy: [{ revokedAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRecord);
}

/** The record for (kind, value), whether or not it is still in force. */
export async function findRevocation(
  prisma: PrismaClient,
  kind: RevocationKind,
  value: string,
): Promise<RevocationRecord | null> {
  const row = await prisma.revocation.findUnique({
    where: { kind_value: { kind: storedKinds[kind], value } },
  });
  return row ? toRecord(row) : null;
}

/** The facts of a verified access token that a revocation can name. */
export interface RevocableToken {
  jti: string;
  grantId?: string | undefined;
  /** The `sub`: a user id, or the client id of a client_credentials token. */
  subject: string;
  clientId: string;
  kid: string;
  issuedAt: Date;
}

/**
 * Whether a record in force names this token: its jti, grant or signing key, or its user or client with a
 * cut-off at or after the token's `iat` ("everything issued before now"). `iat` has whole seconds, so a token
 * issued in the very second of a user/client revocation counts as revoked: failing closed costs a re-login.
 * One indexed query; the admin API asks it per request (resource servers keep a mirror instead).
 */
export async function isTokenRevoked(
  prisma: PrismaClient,
  token: RevocableToken,
  now: Date = new Date(),
): Promise<boolean> {
  const named = (kind: RevocationKind, value: string) => ({ kind: storedKinds[kind], value });
  const issuedBefore = { revokedAt: { gte: token.issuedAt } };
  const match = await prisma.revocation.findFirst({
    where: {
      expiresAt: { gt: now },
      OR: [
        named('jti', token.jti),
        named('kid', token.kid),
        ...(token.grantId ? [named('grant', token.grantId)] : []),
        { ...named('user', token.subject), ...issuedBefore },
        { ...named('client', token.clientId), ...issuedBefore },
      ],
    },
    select: { id: true },
  });
  return match !== null;
}

/**
 * The grant a stored refresh token belongs to, spent (rotated) or not; null when no such refresh token is
 * stored. oidc-provider's opaque token value is the artifact id.
 */
export async function findRefreshTokenGrantId(
  prisma: PrismaClient,
  refreshToken: string,
): Promise<string | null> {
  const row = await prisma.oidcArtifact.findUnique({
    where: { model_id: { model: 'RefreshToken', id: refreshToken } },
    select: { grantId: true },
  });
  return row?.grantId ?? null;
}

/** Whether any artifact of the grant (the Grant itself or a token issued under it) is still stored. */
export async function grantHasArtifacts(prisma: PrismaClient, grantId: string): Promise<boolean> {
  const row = await prisma.oidcArtifact.findFirst({
    where: artifactsOf({ grantId }),
    select: { id: true },
  });
  return row !== null;
}

function toRecord(row: Revocation): RevocationRecord {
  return {
    id: row.id,
    kind: apiKinds[row.kind],
    value: row.value,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    reason: row.reason,
    actor: row.actor,
  };
}
