import Router from '@koa/router';
import {
  type AdminClient,
  type AdminClientAuthorizations,
  assignClientRoles,
  createClient,
  deleteClient,
  getClient,
  grantClientPermissions,
  listClients,
  type PrismaClient,
  replaceClientSecretHash,
  revokeClientPermission,
  unassignClientRole,
  updateClient,
} from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { generateClientSecret, hashClientSecret } from '../credentials/client-secret.js';
import type { AnnounceAuthorizationChange } from '../oidc/authorization-cache-invalidation.js';
import { revokeSubjectTokens } from '../revocations/revoke-subject-tokens.js';
import type { RevokeTokensDependencies } from '../revocations/revoke-tokens.js';
import { createAdminAuthorityCheck } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { type ClientGrantSettings, clientPolicyIssues } from './client-policy.js';
import {
  type ClientView,
  clientPermissionsBody,
  clientRolesBody,
  createClientBody,
  listClientsQuery,
  updateClientBody,
} from './client-schemas.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { revocationErrorsAsProblems } from './revocation-problems.js';

export interface ClientRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  /** CLIENT_SECRET_PEPPER: secrets are stored as HMACs under it (credentials/client-secret.ts). */
  clientSecretPepper: Buffer;
  /** The configured SCOPES a client may be allowed (besides `admin`). */
  resourceScopes: readonly string[];
  /** Disabling or deleting a client revokes the tokens already issued to it (revokeTokens). */
  revocation: RevokeTokensDependencies;
  /** Clears the authorization caches of every auth server once a change is durable, before the answer. */
  announceChange: AnnounceAuthorizationChange;
  maxBodyBytes: number;
}

/**
 * `/clients`: OAuth clients and their authorizations. A secret is generated here, returned once (at
 * creation and at rotation) and stored only as its HMAC; it never reaches a log or an audit event.
 * Token requests read a client's record through a cache (oidc/authorization-cache.ts), and oidc-provider
 * keeps the Client object it builds by a hash of that record: every write here announces the change, which
 * clears that cache on every instance before the answer, so a new secret, a disabled flag, a deletion or a
 * new role takes effect at the next request. Disabling or deleting a client also revokes every token
 * issued to it until then, so resource servers refuse them at once rather than when they expire. No write
 * grants or takes over admin authority the caller does not hold (admin-escalation.ts): rotating a more
 * powerful client's secret would hand its tokens over.
 */
export function createClientRoutes(dependencies: ClientRoutesDependencies) {
  const { guard, prisma, audit, clientSecretPepper, resourceScopes, announceChange, maxBodyBytes } =
    dependencies;
  const changed = (id: string) => announceChange({ kind: 'client', id });
  const router = new Router<GuardState>({ prefix: '/clients' });
  const canRead = guard.require(adminRequirement('clients', 'read'));
  const canWrite = guard.require(adminRequirement('clients', 'write'));
  router.use(repositoryErrorsAsProblems, revocationErrorsAsProblems);
  const authority = createAdminAuthorityCheck({ prisma, audit });
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));
  const refuseUnservable = (settings: ClientGrantSettings) => {
    const issues = clientPolicyIssues(settings, resourceScopes);
    if (issues.length > 0) {
      throw new ProblemError(400, 'Bad Request', { detail: 'the request is invalid', errors: issues });
    }
  };
  const newSecret = () => {
    const secret = generateClientSecret();
    return { secret, secretHash: hashClientSecret(secret, clientSecretPepper) };
  };
  /** The full view after an authorization change; 404 when the client is gone. */
  const afterChange = async (change: AdminClientAuthorizations | null): Promise<AdminClient> => {
    if (change) await changed(change.clientId);
    const client = change && (await getClient(prisma, change.clientId));
    if (!client) throw clientNotFound();
    return client;
  };

  router.get('/', canRead, async (ctx) => {
    const query = validate(listClientsQuery, ctx.query);
    const page = await listClients(prisma, { limit: query.limit, after: query.after, search: query.q });
    ctx.body = { clients: page.clients.map(presentClient), nextCursor: page.nextCursor };
  });

  router.post('/', canWrite, async (ctx) => {
    const input = await body(ctx, createClientBody);
    // Confidential: every client created here gets a secret.
    refuseUnservable({ ...input, firstParty: input.firstParty ?? false, confidential: true });
    await authority.mayGrant(ctx, 'client', input.id, input);
    const { secret, secretHash } = newSecret();
    const client = presentClient(await createClient(prisma, { ...input, secretHash }));
    await changed(client.id);
    await audit({
      type: 'admin.client.created',
      ...auditActor(ctx),
      subject: client.id,
      details: { after: client },
    });
    ctx.status = 201;
    ctx.set('Location', `/clients/${encodeURIComponent(client.id)}`);
    ctx.body = { ...client, clientSecret: secret };
  });

  router.get('/:id', canRead, async (ctx) => {
    const client = await getClient(prisma, pathParam(ctx, 'id'));
    if (!client) throw clientNotFound();
    ctx.body = presentClient(client);
  });

  router.patch('/:id', canWrite, async (ctx) => {
    const id = pathParam(ctx, 'id');
    const changes = await body(ctx, updateClientBody);
    await authority.mayActOn(ctx, 'client', id);
    const touchesGrants = [
      changes.grantTypes,
      changes.scopes,
      changes.firstParty,
      changes.introspection,
    ].some((v) => v !== undefined);
    if (touchesGrants) {
      // Checked against the stored client: `{ firstParty: false }` alone breaks a password client. A
      // concurrent PATCH can slip between this read and the write; the token endpoint still refuses what
      // it cannot serve, so the race costs a confusing client, not a hole.
      const current = await getClient(prisma, id);
      if (!current) throw clientNotFound();
      refuseUnservable({
        grantTypes: changes.grantTypes ?? current.grantTypes,
        scopes: changes.scopes ?? current.scopes,
        firstParty: changes.firstParty ?? current.firstParty,
        introspection: changes.introspection ?? current.introspection,
        confidential: current.hasSecret,
      });
    }
    const update = await updateClient(prisma, id, changes);
    if (!update) throw clientNotFound();
    // Before the revocation below: no instance may issue from the old record after its cut-off.
    await changed(id);
    const before = presentClient(update.before);
    const after = presentClient(update.after);
    await audit({
      type: after.disabled && !before.disabled ? 'admin.client.disabled' : 'admin.client.updated',
      ...auditActor(ctx),
      subject: id,
      details: { before, after, artifactsDeleted: update.artifactsDeleted },
    });
    // After the disable committed, so no token can be issued after the revocation's cut-off; a repeated
    // disable revokes again, which is harmless and lets a retry after a failed revocation converge.
    if (changes.disabled === true) {
      await revokeSubjectTokens(
        dependencies,
        { kind: 'client', value: id, reason: 'client disabled' },
        auditActor(ctx),
      );
    }
    ctx.body = after;
  });

  router.post('/:id/secret', canWrite, async (ctx) => {
    const id = pathParam(ctx, 'id');
    await authority.mayActOn(ctx, 'client', id);
    const { secret, secretHash } = newSecret();
    if (!(await replaceClientSecretHash(prisma, id, secretHash))) throw clientNotFound();
    await changed(id);
    // Neither the secret nor its hash: the event only records that a rotation happened and who did it.
    await audit({ type: 'admin.client.secret_rotated', ...auditActor(ctx), subject: id });
    ctx.body = { clientId: id, clientSecret: secret };
  });

  router.delete('/:id', canWrite, async (ctx) => {
    const id = pathParam(ctx, 'id');
    await authority.mayActOn(ctx, 'client', id);
    if (!(await getClient(prisma, id))) throw clientNotFound();
    // Before the deletion: a revocation names an existing client. A failed deletion leaves a harmless record.
    const revoked = await revokeSubjectTokens(
      dependencies,
      { kind: 'client', value: id, reason: 'client deleted' },
      auditActor(ctx),
    );
    const deletion = await deleteClient(prisma, id);
    if (!deletion) throw clientNotFound();
    await changed(id);
    await audit({
      type: 'admin.client.deleted',
      ...auditActor(ctx),
      subject: deletion.deleted.id,
      details: {
        before: presentClient(deletion.deleted),
        // The revocation deleted its grants and refresh tokens already; both count as deleted with it.
        artifactsDeleted: revoked.artifactsDeleted + deletion.artifactsDeleted,
      },
    });
    ctx.status = 204;
  });

  router.post('/:id/roles', canWrite, async (ctx) => {
    const { roles } = await body(ctx, clientRolesBody);
    await authority.mayGrant(ctx, 'client', pathParam(ctx, 'id'), { roles });
    const client = await afterChange(await assignClientRoles(prisma, pathParam(ctx, 'id'), roles));
    await audit({
      type: 'admin.client.roles_assigned',
      ...auditActor(ctx),
      subject: client.id,
      details: { roles, after: authorizationsOf(client) },
    });
    ctx.body = presentClient(client);
  });

  router.delete('/:id/roles/:role', canWrite, async (ctx) => {
    const role = pathParam(ctx, 'role');
    await authority.mayActOn(ctx, 'client', pathParam(ctx, 'id'));
    const client = await afterChange(await unassignClientRole(prisma, pathParam(ctx, 'id'), role));
    await audit({
      type: 'admin.client.role_unassigned',
      ...auditActor(ctx),
      subject: client.id,
      details: { role, after: authorizationsOf(client) },
    });
    ctx.body = presentClient(client);
  });

  router.post('/:id/permissions', canWrite, async (ctx) => {
    const { permissions } = await body(ctx, clientPermissionsBody);
    await authority.mayGrant(ctx, 'client', pathParam(ctx, 'id'), { permissions });
    const client = await afterChange(await grantClientPermissions(prisma, pathParam(ctx, 'id'), permissions));
    await audit({
      type: 'admin.client.permissions_granted',
      ...auditActor(ctx),
      subject: client.id,
      details: { permissions, after: authorizationsOf(client) },
    });
    ctx.body = presentClient(client);
  });

  router.delete('/:id/permissions/:permission', canWrite, async (ctx) => {
    const permission = pathParam(ctx, 'permission');
    await authority.mayActOn(ctx, 'client', pathParam(ctx, 'id'));
    const client = await afterChange(await revokeClientPermission(prisma, pathParam(ctx, 'id'), permission));
    await audit({
      type: 'admin.client.permission_revoked',
      ...auditActor(ctx),
      subject: client.id,
      details: { permission, after: authorizationsOf(client) },
    });
    ctx.body = presentClient(client);
  });

  return router;
}

const clientNotFound = () => new ProblemError(404, 'Not Found', { detail: 'no client with this id' });

function authorizationsOf(client: AdminClient): { roles: string[]; permissions: string[] } {
  return { roles: client.roles, permissions: client.permissions };
}

function presentClient(client: AdminClient): ClientView {
  return {
    id: client.id,
    name: client.name,
    grantTypes: client.grantTypes,
    scopes: client.scopes,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    firstParty: client.firstParty,
    introspection: client.introspection,
    disabled: client.disabled,
    roles: client.roles,
    permissions: client.permissions,
    hasSecret: client.hasSecret,
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
  };
}
