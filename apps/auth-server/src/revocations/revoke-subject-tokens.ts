import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { type RevocationOutcome, type RevokeTokensDependencies, revokeTokens } from './revoke-tokens.js';

/** A user or client whose tokens go because an admin disabled or deleted it. */
export interface SubjectRevocation {
  kind: 'user' | 'client';
  value: string;
  reason: string;
}

/** Who asked, as the admin API audits it. */
export interface RevocationActor {
  actor: string;
  clientId: string;
  ip: string;
}

export interface RevokeSubjectTokensDependencies {
  revocation: RevokeTokensDependencies;
  audit: WriteAuditEvent;
}

/**
 * Disabling or deleting a user or client stops new tokens; this stops the ones already out. It records a
 * `user` or `client` revocation through revokeTokens (the single write path: record and artifact deletion in
 * one transaction, then the broadcast), so every access token issued to it until now is refused by every
 * resource server, and audits it as `admin.revocation.created`, as `POST /revocations` does.
 *
 * @example
 * await revokeSubjectTokens(dependencies, { kind: 'user', value: userId, reason: 'user disabled' }, auditActor(ctx));
 * @throws {RevocationTargetNotFoundError} the user or client does not exist.
 */
export async function revokeSubjectTokens(
  dependencies: RevokeSubjectTokensDependencies,
  request: SubjectRevocation,
  actor: RevocationActor,
): Promise<RevocationOutcome> {
  const outcome = await revokeTokens(dependencies.revocation, { ...request, actor: actor.actor });
  const { revocation, artifactsDeleted } = outcome;
  await dependencies.audit({
    type: 'admin.revocation.created',
    ...actor,
    subject: revocation.value,
    details: { kind: revocation.kind, value: revocation.value, reason: revocation.reason, artifactsDeleted },
  });
  return outcome;
}
