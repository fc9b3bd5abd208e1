import { describe, expect, it } from '@jest/globals';
import type { Principal } from '@portcullis/guard';
import { mayChangeAnyItem } from '../../src/items/item-access.js';

function principal(held: { scopes?: string[]; roles?: string[]; permissions?: string[] }): Principal {
  return {
    kind: 'user',
    subject: 'user-1',
    clientId: 'web',
    scopes: held.scopes ?? [],
    roles: held.roles ?? [],
    permissions: held.permissions ?? [],
    tokenId: 'jti',
    grantId: 'grant',
    keyId: 'kid',
    issuedAt: 0,
    expiresAt: 300,
    claims: {},
  };
}

describe('mayChangeAnyItem', () => {
  it('lets an admin write and delete anyone’s item', () => {
    const admin = principal({ roles: ['admin'] });
    expect(mayChangeAnyItem(admin, 'write')).toBe(true);
    expect(mayChangeAnyItem(admin, 'delete')).toBe(true);
  });

  it('grants each change by its own :any permission only', () => {
    const writer = principal({ permissions: ['items:write:any'] });
    expect(mayChangeAnyItem(writer, 'write')).toBe(true);
    expect(mayChangeAnyItem(writer, 'delete')).toBe(false);
    const deleter = principal({ permissions: ['items:delete:any'] });
    expect(mayChangeAnyItem(deleter, 'delete')).toBe(true);
    expect(mayChangeAnyItem(deleter, 'write')).toBe(false);
  });

  it.each([
    ['nothing', {}],
    ['the plain permissions', { permissions: ['items:write', 'items:delete'] }],
    ['an :any scope rather than permission', { scopes: ['items:write:any', 'items:delete:any'] }],
    ['another role', { roles: ['editor', 'Admin'] }],
    ['an :any permission as a role', { roles: ['items:write:any'] }],
  ])('refuses a principal with %s', (_name, held) => {
    expect(mayChangeAnyItem(principal(held), 'write')).toBe(false);
    expect(mayChangeAnyItem(principal(held), 'delete')).toBe(false);
  });
});
