/**
 * @portcullis/revocation — revocations on the fast path: Redis keys with TTLs and a broadcast channel
 * (written by the auth server after the PostgreSQL record), and the in-memory mirror each resource server
 * checks tokens against.
 *
 * @example
 * const mirror = createRevocationMirror({ redis, subscriber, keyPrefix: 'portcullis:', channel: 'portcullis:revocations' });
 * await mirror.start();
 */

export { readEvictionPolicy } from './eviction-policy.js';
export type { RedisConnectionLogger } from './redis-connection.js';
export { closeRedisClient, logRedisOutages, revocationRedisLayout } from './redis-connection.js';
export type {
  LoadRevocationsOptions,
  RedisClientOptions,
  RevocationRedisLayout,
  SeedRevocationsOptions,
  SeedRevocationsResult,
} from './redis-revocation-store.js';
export {
  createRedisClient,
  loadRevocations,
  publishRevocation,
  revocationKey,
  revocationsAreComplete,
  revocationsCompleteKey,
  revocationsCompleteToken,
  seedRevocations,
} from './redis-revocation-store.js';
export { RevocationCopyIncompleteError } from './revocation-copy-incomplete-error.js';
export type { RevocationEntry, RevocationKind } from './revocation-entry.js';
export { parseRevocationEntry, REVOCATION_KINDS } from './revocation-entry.js';
export type {
  RevocationMirror,
  RevocationMirrorLogger,
  RevocationMirrorOptions,
  RevocationMirrorStatus,
} from './revocation-mirror.js';
export { createRevocationMirror } from './revocation-mirror.js';
export { RevocationMirrorStaleError } from './revocation-mirror-stale-error.js';
export type { RevocationSet } from './revocation-set.js';
export { createRevocationSet } from './revocation-set.js';
