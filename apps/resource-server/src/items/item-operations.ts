import type { ApiOperation } from '@portcullis/service-kit';
import {
  createItemBody,
  itemListView,
  itemStatisticsView,
  itemView,
  listItemsQuery,
  updateItemBody,
} from './item-schemas.js';

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
