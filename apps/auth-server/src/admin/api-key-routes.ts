import Router from '@koa/router';
import { isApiKeyId, visibleApiKeyPrefix } from '@portcullis/api-keys';
import { type ApiKeyOwnerRef, type ApiKeyView, apiKeyStatus, getApiKey, listApiKeys } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context, Next } from 'koa';
import type { ZodType } from 'zod';
import {
  ApiKeyGrantInvalidError,
  ApiKeyNotActiveError,
  ApiKeyOwnerDisabledError,
  ApiKeyOwnerNotFoundError,
} from '../api-keys/api-key-errors.js';
import { checkApiKeyGrant } from '../api-keys/api-key-grant-check.js';
import type { ApiKeyServices } from '../api-keys/api-key-services.js';
import { issueApiKey } from '../api-keys/issue-api-key.js';
import { revokeApiKeyEverywhere } from '../api-keys/revoke-api-key.js';
import { rotateApiKeyEverywhere } from '../api-keys/rotate-api-key.js';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { type AdminContext, createAdminAuthorityCheck } from './admin-escalation.js';
import { adminRequirement } from './admin-permissions.js';
import {
  type ApiKeyViewBody,
  createApiKeyBody,
  listApiKeysQuery,
  rotateApiKeyBody,
} from './api-key-schemas.js';
import { auditActor } from './audit-actor.js';
import { pathParam } from './path-param.js';
import { repositoryErrorsAsProblems } from './repository-errors.js';
import { revocationErrorsAsProblems } from './revocation-problems.js';

export interface ApiKeyRoutesDependencies {
  guard: KoaGuard;
  audit: WriteAuditEvent;
  services: ApiKeyServices;
  /** DEFAULT_RESOURCE, RESOURCES and SCOPES: what a key may be for. */
  defaultResource: string;
  resources: readonly string[];
  scopes: readonly string[];
  maxBodyBytes: number;
}

/**
 * `/api-keys`: keys for machines (issue 8), issued to a user or a service client. The key is generated
 * here, returned once (at creation and rotation, with `Cache-Control: no-store` like every admin answer)
 * and stored only as its keyed hash; no answer, log or audit event carries it or its hash afterwards. A
 * key carries at most what its owner holds (api-keys/api-key-grant-check.ts), and no admin may issue,
 * rotate or revoke keys of an owner holding admin authority the caller lacks (admin-escalation.ts): a key
 * acts as its owner.
 */
export function createApiKeyRoutes(dependencies: ApiKeyRoutesDependencies) {
  const { guard, audit, services, maxBodyBytes } = dependencies;
  const { prisma } = services;
  const router = new Router<GuardState>({ prefix: '/api-keys' });
  const canRead = guard.require(adminRequirement('api-keys', 'read'));
  const canWrite = guard.require(adminRequirement('api-keys', 'write'));
  router.use(repositoryErrorsAsProblems, revocationErrorsAsProblems, apiKeyErrorsAsProblems);
  const authority = createAdminAuthorityCheck({ prisma, audit });
  const body = async <T>(ctx: Context, schema: ZodType<T>) =>
    validate(schema, await readJsonBody(ctx, maxBodyBytes));
  const now = () => services.now?.() ?? new Date();
  const mayActOnOwner = (ctx: AdminContext, owner: ApiKeyView['owner']) =>
    authority.mayActOn(ctx, owner.type, owner.id);
  /** The key named by the path; 404 for an unknown or malformed id. */
  const existing = async (id: string): Promise<ApiKeyView> => {
    const key = isApiKeyId(id) ? await getApiKey(prisma, id) : null;
    if (!key) throw apiKeyNotFound();
    return key;
  };

  router.get('/', canRead, async (ctx) => {
    const query = validate(listApiKeysQuery, ctx.query);
    const at = now();
    const page = await listApiKeys(prisma, {
      limit: query.limit,
      after: query.after,
      userId: query.user,
      clientId: query.client,
      status: query.status,
      now: at,
    });
    ctx.body = { apiKeys: page.apiKeys.map((key) => presentApiKey(key, at)), nextCursor: page.nextCursor };
  });

  router.post('/', canWrite, async (ctx) => {
    const input = await body(ctx, createApiKeyBody);
    const owner: ApiKeyOwnerRef =
      'user' in input.owner ? { userId: input.owner.user } : { clientId: input.owner.client };
    const grant = {
      owner,
      resource: input.resource ?? dependencies.defaultResource,
      scopes: input.scopes,
      roles: input.roles ?? [],
      permissions: input.permissions ?? [],
      expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt),
    };
    // Authority first: the grant check's messages name what the owner holds, which a lesser admin must not probe.
    await authority.mayActOn(
      ctx,
      'userId' in owner ? 'user' : 'client',
      'userId' in owner ? owner.userId : owner.clientId,
    );
    await checkApiKeyGrant(prisma, grant, dependencies, now());
    const { view, key } = await issueApiKey(services, {
      ...grant,
      name: input.name,
      createdBy: auditActor(ctx).actor,
    });
    const presented = presentApiKey(view, now());
    await audit({
      type: 'admin.api_key.created',
      ...auditActor(ctx),
      subject: presented.prefix,
      details: { after: presented },
    });
    ctx.status = 201;
    ctx.set('Location', `/api-keys/${view.id}`);
    ctx.body = { ...presented, key };
  });

  router.get('/:id', canRead, async (ctx) => {
    ctx.body = presentApiKey(await existing(pathParam(ctx, 'id')), now());
  });

  router.post('/:id/rotate', canWrite, async (ctx) => {
    // A bodyless POST means "no grace".
    const { graceSeconds = 0 } = isEmptyRequest(ctx) ? {} : await body(ctx, rotateApiKeyBody);
    const current = await existing(pathParam(ctx, 'id'));
    await mayActOnOwner(ctx, current.owner);
    const rotation = await rotateApiKeyEverywhere(services, current.id, {
      graceSeconds,
      actor: auditActor(ctx).actor,
    });
    if (!rotation) throw apiKeyNotFound();
    const at = now();
    const presented = presentApiKey(rotation.view, at);
    await audit({
      type: 'admin.api_key.rotated',
      ...auditActor(ctx),
      subject: presented.prefix,
      details: { previous: presentApiKey(rotation.previous, at), after: presented, graceSeconds },
    });
    ctx.status = 201;
    ctx.set('Location', `/api-keys/${rotation.view.id}`);
    ctx.body = { ...presented, key: rotation.key };
  });

  router.delete('/:id', canWrite, async (ctx) => {
    const current = await existing(pathParam(ctx, 'id'));
    await mayActOnOwner(ctx, current.owner);
    const revoked = await revokeApiKeyEverywhere(services, current.id, {
      actor: auditActor(ctx).actor,
      reason: 'api key revoked',
    });
    if (!revoked) throw apiKeyNotFound();
    await audit({
      type: 'admin.api_key.revoked',
      ...auditActor(ctx),
      subject: visibleApiKeyPrefix(revoked.id),
      details: { owner: revoked.owner, alreadyRevoked: current.revokedAt !== null },
    });
    ctx.status = 204;
  });

  return router;
}

const apiKeyNotFound = () => new ProblemError(404, 'Not Found', { detail: 'no API key with this id' });

function isEmptyRequest(ctx: Context): boolean {
  const length = ctx.get('content-length');
  return !ctx.get('content-type') && !ctx.get('transfer-encoding') && (length === '' || length === '0');
}

/** Maps the API key operations' typed errors to problems (anything else stays a 500 with nothing leaked). */
async function apiKeyErrorsAsProblems(_ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (error instanceof ApiKeyOwnerNotFoundError) {
      throw new ProblemError(404, 'Not Found', { detail: error.message, resource: error.ownerType });
    }
    if (error instanceof ApiKeyOwnerDisabledError || error instanceof ApiKeyNotActiveError) {
      throw new ProblemError(409, 'Conflict', { detail: error.message });
    }
    if (error instanceof ApiKeyGrantInvalidError) {
      throw new ProblemError(400, 'Bad Request', { detail: 'the request is invalid', errors: error.issues });
    }
    throw error;
  }
}

function presentApiKey(key: ApiKeyView, now: Date): ApiKeyViewBody {
  return {
    id: key.id,
    prefix: visibleApiKeyPrefix(key.id),
    name: key.name,
    owner: key.owner,
    resource: key.resource,
    scopes: key.scopes,
    roles: key.roles,
    permissions: key.permissions,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    rotatedFromId: key.rotatedFromId,
    createdAt: key.createdAt.toISOString(),
    status: apiKeyStatus(key, now),
  };
}
