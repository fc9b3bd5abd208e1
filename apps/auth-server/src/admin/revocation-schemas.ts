import { z } from 'zod';

/** Kinds of revocation records, as stored and listed. */
export const REVOCATION_KINDS = ['jti', 'grant', 'user', 'client', 'kid'] as const;
/** What a revocation request may name: a record kind, or `token` with the token itself. */
export const REVOCATION_REQUEST_KINDS = ['token', ...REVOCATION_KINDS] as const;

/** A JWT access token carrying many roles and permissions can reach several KiB; 16 KiB is generous. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** jti, grant ids and kids are ~20-43 characters, user ids UUIDs, client ids at most 100. */
const MAX_ID_LENGTH = 200;

export const createRevocationBody = z
  .strictObject({
    kind: z.enum(REVOCATION_REQUEST_KINDS),
    /** The jti, grant id, user id, client id, kid, or (kind `token`) the token. Never stored or echoed as is. */
    value: z.string().min(1).max(MAX_TOKEN_LENGTH).regex(/^\S+$/, 'must not contain whitespace'),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .refine((body) => body.kind === 'token' || body.value.length <= MAX_ID_LENGTH, {
    path: ['value'],
    message: `must be at most ${MAX_ID_LENGTH} characters unless kind is token`,
  });

export const listRevocationsQuery = z.strictObject({
  kind: z.enum(REVOCATION_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional(),
  /** Only records still in force (expiresAt in the future); `false` lists expired ones not yet purged too. */
  active: z.stringbool().default(true),
});

const timestamp = z.iso.datetime();

export const revocationView = z.object({
  id: z.uuid(),
  kind: z.enum(REVOCATION_KINDS),
  /** The jti, grant id, user id, client id or kid; for a request of kind `token`, the jti or grant id found. */
  value: z.string(),
  /** Tokens it concerns issued at or before this instant are refused. */
  revokedAt: timestamp,
  /** After this instant no token it concerns can still be valid. */
  expiresAt: timestamp,
  reason: z.string().nullable(),
  /** Who revoked it: an admin user id or client id. */
  actor: z.string().nullable(),
});
export type RevocationView = z.infer<typeof revocationView>;

export const revocationListView = z.object({
  revocations: z.array(revocationView),
  /** Pass as `after` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
