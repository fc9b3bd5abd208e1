import {
  type ArtifactScope,
  findRevocation,
  findSigningKey,
  getClient,
  getUser,
  grantHasArtifacts,
  type PrismaClient,
  type RevocationKind,
  type RevocationRecord,
  recordRevocation,
} from '@portcullis/db';
import { CLOCK_SKEW_SECONDS } from '../keys/key-schedule.js';
import { signingKidNow } from '../keys/signing-kid-now.js';
import { identifyIssuedToken } from './identify-issued-token.js';
import type { RevocationBroadcaster } from './revocation-broadcaster.js';
import {
  RevocationTargetNotFoundError,
  SigningKeyInUseError,
  SigningKeyPendingError,
  UnrecognizedTokenError,
} from './revocation-errors.js';

export interface RevokeTokensDependencies {
  prisma: PrismaClient;
  /** Our issuer: an access token presented for revocation must carry it. */
  issuer: string;
  /** The longest access-token lifetime (user or client_credentials), in seconds. */
  longestTokenLifetimeSeconds: number;
  broadcaster: RevocationBroadcaster;
  now?: () => Date;
}

/** What to revoke: a record kind and its value, or `token` with the token itself (never stored). */
export interface RevocationRequest {
  kind: 'token' | RevocationKind;
  value: string;
  reason?: string | undefined;
  /** Who asks: a user id or client id. */
  actor?: string | undefined;
}

export interface RevocationOutcome {
  revocation: RevocationRecord;
  /** Grants, refresh tokens and sessions deleted so that nothing under the revocation refreshes again. */
  artifactsDeleted: number;
}

interface RevocationTarget {
  kind: RevocationKind;
  value: string;
  artifacts?: ArtifactScope;
}

/**
 * The single write path of revocations (DESIGN "Revocation"): resolves what is revoked, writes the record and
 * deletes what the auth server can already stop (a grant's, user's or client's refresh tokens and grants) in
 * one transaction, then hands the durable record to the broadcaster. jti and kid records are enforced by the
 * verifiers that read them.
 *
 * The record lives until every token it can concern has expired: refresh tokens are deleted, so the last
 * such token is an access token issued at revokedAt, valid for the longest access-token lifetime plus the
 * clock skew verifiers allow.
 *
 * @example
 * const { revocation } = await revokeTokens(dependencies, { kind: 'user', value: userId, actor: adminId });
 * @throws {RevocationTargetNotFoundError} the user, client, key or grant is unknown.
 * @throws {UnrecognizedTokenError} a `token` this server did not issue.
 * @throws {SigningKeyInUseError} a kid that still signs.
 */
export async function revokeTokens(
  dependencies: RevokeTokensDependencies,
  request: RevocationRequest,
): Promise<RevocationOutcome> {
  const now = dependencies.now?.() ?? new Date();
  const target = await resolveTarget(dependencies, request, now);
  const lifetimeMs = (dependencies.longestTokenLifetimeSeconds + CLOCK_SKEW_SECONDS) * 1000;
  const { revocation, artifactsDeleted } = await recordRevocation(
    dependencies.prisma,
    {
      kind: target.kind,
      value: target.value,
      revokedAt: now,
      expiresAt: new Date(now.getTime() + lifetimeMs),
      reason: request.reason ?? null,
      actor: request.actor ?? null,
    },
    target.artifacts,
  );
  await dependencies.broadcaster.broadcast(revocation);
  return { revocation, artifactsDeleted };
}

/**
 * Checks the target exists wherever the server can know, so a typo is a 404 rather than a record that
 * protects nothing:
 * - user, client, kid: the row must exist (a disabled user or client, or a superseded key, still counts);
 * - grant: some artifact of it must still be stored, or it was revoked before (revoking again is harmless).
 *   A grant that has left no trace holds no refresh token; its last access tokens are reachable by jti or user;
 * - jti: access tokens are not stored, so any jti is accepted: only a verified `token` proves one is ours.
 */
async function resolveTarget(
  { prisma, issuer, longestTokenLifetimeSeconds }: RevokeTokensDependencies,
  { kind, value }: RevocationRequest,
  now: Date,
): Promise<RevocationTarget> {
  switch (kind) {
    case 'token': {
      const identity = await identifyIssuedToken(prisma, issuer, value, now);
      if (!identity) throw new UnrecognizedTokenError();
      return identity.kind === 'grant' ? { ...identity, artifacts: { grantId: identity.value } } : identity;
    }
    case 'jti':
      return { kind, value };
    case 'grant': {
      const known = (await grantHasArtifacts(prisma, value)) || (await findRevocation(prisma, kind, value));
      if (!known) throw new RevocationTargetNotFoundError(kind);
      return { kind, value, artifacts: { grantId: value } };
    }
    case 'user':
      if (!(await getUser(prisma, value))) throw new RevocationTargetNotFoundError(kind);
      return { kind, value, artifacts: { accountId: value } };
    case 'client':
      if (!(await getClient(prisma, value))) throw new RevocationTargetNotFoundError(kind);
      return { kind, value, artifacts: { clientId: value } };
    case 'kid': {
      const key = await findSigningKey(prisma, value);
      if (!key) throw new RevocationTargetNotFoundError(kind);
      // A record lasts one token lifetime; a key that signs later than that would outlive it.
      if (key.activatesAt > now) throw new SigningKeyPendingError(value);
      // Revoking the key that still signs protects nothing: this server keeps signing with it, and whoever
      // stole it mints tokens with any iat. It must be rotated out first.
      if ((await signingKidNow(prisma, longestTokenLifetimeSeconds, now)) === value) {
        throw new SigningKeyInUseError(value);
      }
      return { kind, value };
    }
  }
}
