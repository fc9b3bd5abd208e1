import type { AuditEventInput, RevocationRecord } from '@portcullis/db';

/**
 * The audit event of a revocation a client made at the RFC 7009 endpoint: what was revoked (the jti or grant
 * id the token resolved to), by which client, from where. Never the token.
 */
export function tokenRevokedEvent(
  clientId: string,
  ip: string,
  revocation: RevocationRecord,
): AuditEventInput {
  return {
    type: 'token.revoked',
    actor: clientId,
    clientId,
    subject: revocation.value,
    ip,
    details: { kind: revocation.kind, value: revocation.value, reason: revocation.reason },
  };
}
