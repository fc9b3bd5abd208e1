import Router from '@koa/router';
import {
  createItem,
  deleteItem,
  findItem,
  InvalidCursorError,
  type ItemRecord,
  itemStatistics,
  listItems,
  type PrismaClient,
  updateItem,
} from '@portcullis/db';
import type { Principal } from '@portcullis/guard';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { Context } from 'koa';

import { type ItemChange, mayChangeAnyItem } from './item-access.js';
import { createItemBody, type ItemView, listItemsQuery, updateItemBody } from './item-schemas.js';

export interface ItemRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  maxBodyBytes: number;
  /** Whether the machine-friendly routes take X-API-Key too (the guard must have an API key verifier). */
  acceptApiKeys?: boolean;
}

/**
 * The items API. Each route states its requirement as data; the handler only maps HTTP to one repository
 * call. Scope (what the client may ask for) and permission (what the subject may do) are both required.
 */
export function createItemRoutes({
  guard,
  prisma,
  maxBodyBytes,
  acceptApiKeys = false,
}: ItemRoutesDependencies): Router<GuardState> {
  const router = new Router<GuardState>({ prefix: '/items' });
  // Machines (API keys) may list, read and create items; changing, deleting and the admin statistics
  // stay with access tokens, whose short life and grant-level revocation suit those better.
  const machines = { apiKey: acceptApiKeys };
  const canRead = guard.require({ scopes: ['items:read'], permissions: ['items:read'] }, machines);
  const canCreate = guard.require({ scopes: ['items:write'], permissions: ['items:write'] }, machines);
  const canWrite = guard.require({ scopes: ['items:write'], permissions: ['items:write'] });
  const canDelete = guard.require({ scopes: ['items:delete'], permissions: ['items:delete'] });
  const isAdmin = guard.require({ scopes: ['items:read'], roles: ['admin'] });

  router.get('/', canRead, async (ctx) => {
    const query = validate(listItemsQuery, ctx.query);
    try {
      const page = await listItems(prisma, {
        limit: query.limit,
        after: query.after,
        ownerId: query.owner === 'me' ? ctx.state.principal.subject : undefined,
        search: query.q,
      });
      ctx.body = { items: page.items.map(present), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badRequest('after is not a cursor from this API');
      throw error;
    }
  });

  // Declared before /:id so that "statistics" is never read as an item id.
  router.get('/statistics', isAdmin, async (ctx) => {
    ctx.body = await itemStatistics(prisma);
  });

  router.get('/:id', canRead, async (ctx) => {
    ctx.body = present(await findOrNotFound(prisma, ctx.params.id));
  });

  router.post('/', canCreate, async (ctx) => {
    const body = validate(createItemBody, await readJsonBody(ctx, maxBodyBytes));
    const item = await createItem(prisma, { ownerId: ctx.state.principal.subject, ...body });
    ctx.status = 201;
    ctx.set('Location', `/items/${item.id}`);
    ctx.body = present(item);
  });

  router.patch('/:id', canWrite, async (ctx) => {
    const changes = validate(updateItemBody, await readJsonBody(ctx, maxBodyBytes));
    const ownerId = await ownerConstraint(ctx, prisma, 'write');
    const item = await updateItem(prisma, ctx.params.id as string, changes, { ownerId });
    if (!item) throw notFound();
    ctx.body = present(item);
  });

  router.delete('/:id', canDelete, async (ctx) => {
    const ownerId = await ownerConstraint(ctx, prisma, 'delete');
    if (!(await deleteItem(prisma, ctx.params.id as string, { ownerId }))) throw notFound();
    ctx.status = 204;
  });

  return router;
}

/**
 * The owner to condition the write on: undefined for a caller who may change any item, the caller's own
 * subject otherwise. The repository applies it in the UPDATE/DELETE itself, so a concurrent ownership change
 * cannot slip between check and write; the lookup here only tells 403 from 404.
 */
async function ownerConstraint(
  ctx: Context & { params: Record<string, string>; state: GuardState },
  prisma: PrismaClient,
  change: ItemChange,
): Promise<string | undefined> {
  const principal: Principal = ctx.state.principal;
  if (mayChangeAnyItem(principal, change)) return undefined;
  const item = await findOrNotFound(prisma, ctx.params.id as string);
  if (item.ownerId !== principal.subject) {
    throw new ProblemError(403, 'Forbidden', { detail: `only the owner may ${change} this item` });
  }
  return principal.subject;
}

async function findOrNotFound(prisma: PrismaClient, id: string | undefined): Promise<ItemRecord> {
  const item = id === undefined ? null : await findItem(prisma, id);
  if (!item) throw notFound();
  return item;
}

function present(item: ItemRecord): ItemView {
  return {
    id: item.id,
    owner: item.ownerId,
    name: item.name,
    description: item.description,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}

const notFound = () => new ProblemError(404, 'Not Found', { detail: 'no item with this id' });
const badRequest = (detail: string) => new ProblemError(400, 'Bad Request', { detail });
