import { z } from 'zod';

/** Request shapes of the items API. Unknown fields are refused, not ignored: a typo is a 400, not a no-op. */

const name = z.string().trim().min(1).max(200);
const description = z.string().max(2000);

export const createItemBody = z.strictObject({ name, description: description.optional() });
export type CreateItemBody = z.infer<typeof createItemBody>;

export const updateItemBody = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'give name, description or both',
  });
export type UpdateItemBody = z.infer<typeof updateItemBody>;

/** Query parameters come as strings, or arrays when repeated: a repeated parameter fails validation. */
export const listItemsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional(),
  /** `me`: only the caller's own items. */
  owner: z.literal('me').optional(),
  /** Case-insensitive substring of the name. */
  q: z.string().min(1).max(100).optional(),
});
export type ListItemsQuery = z.infer<typeof listItemsQuery>;

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
export type ItemView = z.infer<typeof itemView>;
