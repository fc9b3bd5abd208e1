import { InsufficientScopeError } from './errors.js';
import type { Principal } from './principal.js';

/**
 * What a route needs, as data (DESIGN.md "Authorization model"). Every listed scope, role and permission is
 * required (all-of); `allOf` nests further requirements that must all hold; `anyOf` needs at least one.
 *
 * @example
 * const readItems: Requirement = { scopes: ['items:read'] };
 * const deleteAny: Requirement = { scopes: ['items:delete'], anyOf: [{ roles: ['admin'] }, { permissions: ['items:delete:any'] }] };
 */
export interface Requirement {
  scopes?: readonly string[];
  roles?: readonly string[];
  permissions?: readonly string[];
  allOf?: readonly Requirement[];
  anyOf?: readonly Requirement[];
}

const REQUIREMENT_KEYS = new Set(['scopes', 'roles', 'permissions', 'allOf', 'anyOf']);

/**
 * Throws TypeError for a requirement that is empty, has unknown keys or blank names: a typo such as
 * `{ scope: [...] }` would otherwise silently allow every authenticated caller.
 */
export function validateRequirement(requirement: Requirement, path = 'requirement'): void {
  if (typeof requirement !== 'object' || requirement === null)
    throw new TypeError(`${path} must be an object`);
  const keys = Object.keys(requirement);
  if (keys.length === 0) throw new TypeError(`${path} is empty; use authenticate() for "any valid token"`);
  for (const key of keys) {
    if (!REQUIREMENT_KEYS.has(key)) throw new TypeError(`${path}.${key} is not a requirement field`);
  }
  for (const key of ['scopes', 'roles', 'permissions'] as const) {
    const names = requirement[key];
    if (names === undefined) continue;
    if (!Array.isArray(names) || names.length === 0)
      throw new TypeError(`${path}.${key} must be a non-empty array`);
    for (const name of names) {
      if (typeof name !== 'string' || !/^\S+$/.test(name)) {
        throw new TypeError(`${path}.${key} holds an invalid name: ${String(name)}`);
      }
    }
  }
  for (const key of ['allOf', 'anyOf'] as const) {
    const nested = requirement[key];
    if (nested === undefined) continue;
    if (!Array.isArray(nested) || nested.length === 0)
      throw new TypeError(`${path}.${key} must be a non-empty array`);
    nested.forEach((inner, index) => {
      validateRequirement(inner, `${path}.${key}[${index}]`);
    });
  }
}

/** Why a principal falls short of a requirement, in words; undefined when it meets it. */
export function findUnmetRequirement(principal: Principal, requirement: Requirement): string | undefined {
  const missing = (kind: string, wanted: readonly string[] | undefined, held: readonly string[]) => {
    const absent = (wanted ?? []).filter((name) => !held.includes(name));
    return absent.length > 0 ? `requires ${kind} ${absent.join(' ')}` : undefined;
  };
  const direct =
    missing('scope', requirement.scopes, principal.scopes) ??
    missing('role', requirement.roles, principal.roles) ??
    missing('permission', requirement.permissions, principal.permissions);
  if (direct) return direct;
  for (const inner of requirement.allOf ?? []) {
    const unmet = findUnmetRequirement(principal, inner);
    if (unmet) return unmet;
  }
  if (requirement.anyOf) {
    const unmet = requirement.anyOf.map((inner) => findUnmetRequirement(principal, inner));
    if (unmet.every(Boolean)) return `requires one of: ${unmet.join('; ')}`;
  }
  return undefined;
}

/** Every scope named anywhere in a requirement: the `scope` attribute of a 403 (RFC 6750 §3). */
export function scopesNamedBy(requirement: Requirement): string[] {
  const nested = [...(requirement.allOf ?? []), ...(requirement.anyOf ?? [])].flatMap(scopesNamedBy);
  return [...new Set([...(requirement.scopes ?? []), ...nested])];
}

/**
 * Throws InsufficientScopeError (403) when the principal does not meet the requirement.
 *
 * @example
 * authorize(principal, { permissions: ['items:delete'] });
 */
export function authorize(principal: Principal, requirement: Requirement): void {
  // Validated here too, for callers outside the Koa guard: a typo must never read as "no requirement".
  validateRequirement(requirement);
  const unmet = findUnmetRequirement(principal, requirement);
  if (unmet) throw new InsufficientScopeError(unmet, scopesNamedBy(requirement));
}
