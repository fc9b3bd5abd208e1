import type { Principal } from '@portcullis/guard';

export type ItemChange = 'write' | 'delete';

/**
 * Object-level authorization (OWASP API1:2023): items belong to the subject that created them. Besides the
 * owner, only a holder of `items:<change>:any` or the `admin` role may change or delete someone else's item.
 */
export function mayChangeAnyItem(principal: Principal, change: ItemChange): boolean {
  return principal.roles.includes('admin') || principal.permissions.includes(`items:${change}:any`);
}
