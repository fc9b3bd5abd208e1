import {
  type ApiKeyRecordMirror,
  createApiKeyRecordMirror,
  createApiKeyRecordVerifier,
  createApiKeyVerifier,
} from '@portcullis/api-keys';
import type {
  AccessTokenVerifier,
  ApiKeyVerifier,
  AsymmetricAlgorithm,
  RevocationCheck,
} from '@portcullis/guard';
import type { Logger } from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import { toMirrorLogger } from '../revocations/mirror-logger.js';

export interface ApiKeysDependencies {
  /** The revocation mirror's connections: one command connection and one subscribed one serve both mirrors. */
  redis: Redis;
  subscriber: Redis;
  keyPrefix: string;
  hashKey: Buffer;
  /** Records are signed with the access-token keys: the verifier's JWKS cache and algorithms check them. */
  verifier: AccessTokenVerifier;
  algorithms: readonly AsymmetricAlgorithm[];
  issuer: string;
  audience: string;
  /** The revocation mirror: revoking a key is a `jti` revocation of its id. */
  revocation: RevocationCheck;
  reloadIntervalMs: number;
  logger: Logger;
  now?: () => number;
}

export interface ApiKeys {
  /** The guard's `apiKeys` option. */
  verifier: ApiKeyVerifier;
  mirror: ApiKeyRecordMirror;
  /** Settles after the first subscribe + load: true when both worked (it keeps retrying otherwise). */
  firstLoad: Promise<boolean>;
  close(): Promise<void>;
}

/**
 * X-API-Key for the routes that opt in (issue 8): the mirror of the records the auth server publishes,
 * started in the background like the revocation mirror (Redis down at boot refuses keys, it does not stop
 * the server), and the verifier the guard calls.
 *
 * @example
 * const apiKeys = startApiKeys({ redis, subscriber, keyPrefix, hashKey, verifier, ... });
 * createKoaGuard({ verifier, realm, apiKeys: apiKeys.verifier });
 */
export function startApiKeys(dependencies: ApiKeysDependencies): ApiKeys {
  const { verifier, logger, now } = dependencies;
  const mirror = createApiKeyRecordMirror({
    redis: dependencies.redis,
    subscriber: dependencies.subscriber,
    keyPrefix: dependencies.keyPrefix,
    verifyRecord: createApiKeyRecordVerifier({
      keys: verifier.keys,
      issuer: dependencies.issuer,
      audience: dependencies.audience,
      algorithms: dependencies.algorithms,
      now,
    }),
    reloadIntervalMs: dependencies.reloadIntervalMs,
    now,
    logger: toMirrorLogger(logger),
  });
  const firstLoad = mirror.start().then((loaded) => {
    if (loaded) logger.info({ records: mirror.status().records }, 'api key records in sync');
    else logger.warn('api key records not loaded yet: API keys are refused until they are; retrying');
    return loaded;
  });
  return {
    verifier: createApiKeyVerifier({
      records: mirror,
      hashKey: dependencies.hashKey,
      revocation: dependencies.revocation,
      now,
    }),
    mirror,
    firstLoad,
    close: () => mirror.stop(),
  };
}
