import type { GuardState } from '@portcullis/guard/koa';
import type { Context } from 'koa';

/** Who did an admin change, for the audit log: the token's subject and client, and the caller's address. */
export function auditActor(ctx: Context & { state: GuardState }): {
  actor: string;
  clientId: string;
  ip: string;
} {
  const { principal } = ctx.state;
  return { actor: principal.subject, clientId: principal.clientId, ip: ctx.ip };
}
