import type { ApiOperation } from '@portcullis/service-kit';
import { z } from 'zod';
import { createItemBody, listItemsQuery, updateItemBody } from './item-schemas.js';

/** An item as the routes answer it (item-routes.ts `present()`). */
export const itemView = z.strictObject({
  id: z.uuid(),
  owner: z.string().describe('The token subject that created it: a user id, or a client id'),
  name: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const itemListView = z.strictObject({
  items: z.array(itemView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});

export const itemStatisticsView = z.strictObject({
  total: z.number().int(),
  owners: z.number().int().describe('Distinct owners'),
  createdLast24h: z.number().int(),
  topOwners: z
    .array(z.strictObject({ ownerId: z.string(), items: z.number().int() }))
    .describe('The five owners with the most items'),
});

const read = { scopes: ['items:read'], permissions: ['items:read'] };
const write = { scopes: ['items:write'], permissions: ['items:write'] };
const id = { id: { description: 'The item id (a UUID)' } };
const ownership = (change: 'write' | 'delete') =>
  `Only the owner may ${change} an item, unless the token carries the \`items:${change}:any\` permission or ` +
  'the `admin` role (403 otherwise).';

/** The `/items` routes of item-routes.ts, for the OpenAPI document. */
export const itemOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/items',
    summary: 'List items, with paging and search',
    tag: 'items',
    security: read,
    query: listItemsQuery,
    responses: { 200: { description: 'One page of items', body: itemListView } },
  },
  {
    method: 'get',
    path: '/items/statistics',
    summary: 'Item statistics (admins)',
    tag: 'items',
    security: { scopes: ['items:read'], roles: ['admin'] },
    responses: { 200: { description: 'Counts over all items', body: itemStatisticsView } },
  },
  {
    method: 'get',
    path: '/items/:id',
    summary: 'Read an item',
    tag: 'items',
    security: read,
    params: id,
    responses: { 200: { description: 'The item', body: itemView } },
    errors: [404],
  },
  {
    method: 'post',
    path: '/items',
    summary: 'Create an item owned by the caller',
    tag: 'items',
    security: write,
    body: createItemBody,
    responses: {
      201: {
        description: 'The new item',
        body: itemView,
        headers: { Location: 'The new item, `/items/{id}`' },
      },
    },
  },
  {
    method: 'patch',
    path: '/items/:id',
    summary: 'Change an item’s name and/or description',
    description: ownership('write'),
    tag: 'items',
    security: write,
    params: id,
    body: updateItemBody,
    responses: { 200: { description: 'The item after the change', body: itemView } },
    errors: [404],
  },
  {
    method: 'delete',
    path: '/items/:id',
    summary: 'Delete an item',
    description: ownership('delete'),
    tag: 'items',
    security: { scopes: ['items:delete'], permissions: ['items:delete'] },
    params: id,
    responses: { 204: { description: 'Deleted' } },
    errors: [404],
  },
];
