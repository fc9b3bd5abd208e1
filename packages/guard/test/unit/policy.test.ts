import { describe, expect, it } from '@jest/globals';
import { GuardError, InsufficientScopeError } from '../../src/errors.js';
import {
  authorize,
  findUnmetRequirement,
  type Requirement,
  scopesNamedBy,
  validateRequirement,
} from '../../src/policy.js';
import type { Principal } from '../../src/principal.js';

function principal(held: { scopes?: string[]; roles?: string[]; permissions?: string[] } = {}): Principal {
  return {
    kind: 'user',
    subject: 'user-1',
    clientId: 'client-1',
    scopes: held.scopes ?? [],
    roles: held.roles ?? [],
    permissions: held.permissions ?? [],
    tokenId: 'jti-1',
    grantId: 'grant-1',
    keyId: 'kid-1',
    issuedAt: 1_700_000_000,
    expiresAt: 1_700_000_300,
    claims: {},
  };
}

/** The message of the TypeError validateRequirement throws, or undefined when it accepts the requirement. */
function rejectionOf(requirement: unknown): string | undefined {
  try {
    validateRequirement(requirement as Requirement);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  return undefined;
}

describe('validateRequirement', () => {
  it.each<[string, Requirement]>([
    ['scopes', { scopes: ['items:read'] }],
    ['roles', { roles: ['admin'] }],
    ['permissions', { permissions: ['items:delete'] }],
    [
      'every field',
      {
        scopes: ['a'],
        roles: ['b'],
        permissions: ['c'],
        allOf: [{ scopes: ['d'] }],
        anyOf: [{ roles: ['e'] }],
      },
    ],
  ])('accepts a requirement with %s', (_name, requirement) => {
    expect(rejectionOf(requirement)).toBeUndefined();
  });

  it('refuses an empty requirement, which would let any valid token through', () => {
    expect(rejectionOf({})).toBe('requirement is empty; use authenticate() for "any valid token"');
  });

  it.each([null, undefined, 'items:read', 42])('refuses a requirement that is not an object: %p', (value) => {
    expect(rejectionOf(value)).toBe('requirement must be an object');
  });

  it('refuses an unknown key such as the typo `scope`, naming it', () => {
    expect(rejectionOf({ scope: ['items:read'] })).toBe('requirement.scope is not a requirement field');
    expect(rejectionOf({ scopes: ['items:read'], permission: ['x'] })).toBe(
      'requirement.permission is not a requirement field',
    );
  });

  it.each(['scopes', 'roles', 'permissions', 'allOf', 'anyOf'])('refuses an empty %s array', (key) => {
    expect(rejectionOf({ [key]: [] })).toBe(`requirement.${key} must be a non-empty array`);
  });

  it.each(['scopes', 'roles', 'permissions', 'allOf', 'anyOf'])('refuses %s that is not an array', (key) => {
    expect(rejectionOf({ [key]: 'items:read' })).toBe(`requirement.${key} must be a non-empty array`);
  });

  it.each([
    ['an empty name', ''],
    ['a blank name', '   '],
    ['a name with a space', 'items read'],
    ['a name with a tab', 'items:\tread'],
    ['a name with a newline', 'items:read\n'],
    ['a non-string name', 42],
    ['a null name', null],
  ])('refuses %s', (_name, value) => {
    for (const key of ['scopes', 'roles', 'permissions']) {
      expect(rejectionOf({ [key]: ['ok', value] })).toMatch(
        new RegExp(`^requirement\\.${key} holds an invalid name`),
      );
    }
  });

  it('names the path of a nested mistake', () => {
    expect(rejectionOf({ scopes: ['a'], allOf: [{ roles: ['admin'] }, { scope: ['b'] }] })).toBe(
      'requirement.allOf[1].scope is not a requirement field',
    );
    expect(rejectionOf({ anyOf: [{ roles: ['admin'] }, { allOf: [{ permissions: [' '] }] }] })).toBe(
      'requirement.anyOf[1].allOf[0].permissions holds an invalid name:  ',
    );
    expect(rejectionOf({ anyOf: [{ roles: ['admin'] }, {}] })).toMatch(/^requirement\.anyOf\[1\] is empty/);
    expect(rejectionOf({ allOf: [null] })).toBe('requirement.allOf[0] must be an object');
  });

  it('uses the path it is given', () => {
    expect(() => validateRequirement({}, 'route GET /items')).toThrow(/^route GET \/items is empty/);
  });
});

describe('findUnmetRequirement', () => {
  it('needs every listed scope, role and permission (all-of)', () => {
    const requirement: Requirement = { scopes: ['a', 'b'], roles: ['admin'], permissions: ['p:1'] };
    const everything = principal({ scopes: ['a', 'b', 'c'], roles: ['admin'], permissions: ['p:1'] });
    expect(findUnmetRequirement(everything, requirement)).toBeUndefined();
    expect(findUnmetRequirement({ ...everything, scopes: ['a'] }, requirement)).toBe('requires scope b');
    expect(findUnmetRequirement({ ...everything, roles: ['editor'] }, requirement)).toBe(
      'requires role admin',
    );
    expect(findUnmetRequirement({ ...everything, permissions: [] }, requirement)).toBe(
      'requires permission p:1',
    );
  });

  it('names every missing name of the first unmet kind', () => {
    expect(findUnmetRequirement(principal({ scopes: ['b'] }), { scopes: ['a', 'b', 'c'] })).toBe(
      'requires scope a c',
    );
  });

  it('does not let a scope stand in for a permission of the same name', () => {
    const requirement: Requirement = { permissions: ['items:delete'] };
    expect(findUnmetRequirement(principal({ scopes: ['items:delete'] }), requirement)).toBe(
      'requires permission items:delete',
    );
    expect(findUnmetRequirement(principal({ roles: ['items:delete'] }), requirement)).toBe(
      'requires permission items:delete',
    );
  });

  it('compares names exactly: no prefix, wildcard or case folding', () => {
    const requirement: Requirement = { scopes: ['items:read'] };
    for (const held of ['items', 'items:*', 'ITEMS:READ', 'items:read ', 'items:readwrite']) {
      expect(findUnmetRequirement(principal({ scopes: [held] }), requirement)).toBe(
        'requires scope items:read',
      );
    }
  });

  it('anyOf is met by one alternative', () => {
    const requirement: Requirement = {
      scopes: ['items:delete'],
      anyOf: [{ roles: ['admin'] }, { permissions: ['items:delete:any'] }],
    };
    expect(
      findUnmetRequirement(principal({ scopes: ['items:delete'], roles: ['admin'] }), requirement),
    ).toBeUndefined();
    expect(
      findUnmetRequirement(
        principal({ scopes: ['items:delete'], permissions: ['items:delete:any'] }),
        requirement,
      ),
    ).toBeUndefined();
  });

  it('anyOf with every alternative failing says "requires one of" and lists each', () => {
    const requirement: Requirement = { anyOf: [{ roles: ['admin'] }, { permissions: ['items:delete:any'] }] };
    expect(findUnmetRequirement(principal({ roles: ['editor'] }), requirement)).toBe(
      'requires one of: requires role admin; requires permission items:delete:any',
    );
  });

  it('checks the direct names before anyOf', () => {
    const requirement: Requirement = { scopes: ['items:delete'], anyOf: [{ roles: ['admin'] }] };
    expect(findUnmetRequirement(principal({ roles: ['admin'] }), requirement)).toBe(
      'requires scope items:delete',
    );
  });

  it('allOf needs every nested requirement, however deep', () => {
    const requirement: Requirement = {
      allOf: [
        { scopes: ['a'] },
        { allOf: [{ roles: ['r'] }, { anyOf: [{ permissions: ['p'] }, { scopes: ['z'] }] }] },
      ],
    };
    expect(
      findUnmetRequirement(principal({ scopes: ['a'], roles: ['r'], permissions: ['p'] }), requirement),
    ).toBe(undefined);
    expect(
      findUnmetRequirement(principal({ scopes: ['a', 'z'], roles: ['r'] }), requirement),
    ).toBeUndefined();
    expect(findUnmetRequirement(principal({ roles: ['r'], permissions: ['p'] }), requirement)).toBe(
      'requires scope a',
    );
    expect(findUnmetRequirement(principal({ scopes: ['a'], permissions: ['p'] }), requirement)).toBe(
      'requires role r',
    );
    expect(findUnmetRequirement(principal({ scopes: ['a'], roles: ['r'] }), requirement)).toBe(
      'requires one of: requires permission p; requires scope z',
    );
  });

  it('a principal holding nothing meets nothing', () => {
    expect(findUnmetRequirement(principal(), { roles: ['admin'] })).toBe('requires role admin');
  });
});

describe('scopesNamedBy', () => {
  it('lists every scope named anywhere, once, in order of appearance', () => {
    expect(
      scopesNamedBy({
        scopes: ['items:read', 'items:write'],
        allOf: [{ scopes: ['items:write', 'audit'] }, { roles: ['admin'] }],
        anyOf: [{ scopes: ['items:read'] }, { allOf: [{ scopes: ['deep'] }] }],
      }),
    ).toEqual(['items:read', 'items:write', 'audit', 'deep']);
  });

  it('is empty for a requirement naming no scope', () => {
    expect(scopesNamedBy({ roles: ['admin'], anyOf: [{ permissions: ['p'] }] })).toEqual([]);
  });
});

describe('authorize', () => {
  it('returns quietly when the requirement is met', () => {
    expect(() => authorize(principal({ scopes: ['items:read'] }), { scopes: ['items:read'] })).not.toThrow();
  });

  it('throws InsufficientScopeError (403 insufficient_scope) naming what is missing', () => {
    const requirement: Requirement = {
      scopes: ['items:delete'],
      anyOf: [{ roles: ['admin'] }, { permissions: ['items:delete:any'], scopes: ['items:admin'] }],
    };
    let thrown: unknown;
    try {
      authorize(principal({ scopes: ['items:delete'], roles: ['editor'] }), requirement);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InsufficientScopeError);
    expect(thrown).toBeInstanceOf(GuardError);
    const refusal = thrown as InsufficientScopeError;
    expect(refusal).toMatchObject({
      code: 'ERR_GUARD_INSUFFICIENT_SCOPE',
      status: 403,
      oauthError: 'insufficient_scope',
      message: 'requires one of: requires role admin; requires scope items:admin',
    });
    expect(refusal.requiredScopes).toEqual(['items:delete', 'items:admin']);
  });

  it('throws with no required scopes when the requirement names none', () => {
    expect(() => authorize(principal(), { roles: ['admin'] })).toThrow(
      expect.objectContaining({ message: 'requires role admin', requiredScopes: [] }),
    );
  });
});
