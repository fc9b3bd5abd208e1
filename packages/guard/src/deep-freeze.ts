/**
 * Freezes `value` and everything reachable from it. A verified Principal is shared by every request that
 * presents the same token (the verified-token cache): frozen, a handler that changes its `scopes` or
 * `claims` throws (ESM is strict mode) instead of changing what the next request is allowed.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
