import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createAccessTokenVerifier, InvalidTokenError } from '@portcullis/guard';
import {
  createRedisClient,
  createRevocationMirror,
  publishRevocation,
  type RevocationMirror,
  revocationRedisLayout,
  seedRevocations,
} from '@portcullis/revocation';
import type { Redis } from 'ioredis';
import {
  createTestSigningKey,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import {
  connectedClient,
  deleteKeys,
  REDIS_URL,
  uniqueLayout,
  waitFor,
} from '../../../revocation/test/support/redis-fixtures.js';
import { type ApiKeyRecordMirror, createApiKeyRecordMirror } from '../../src/api-key-record-mirror.js';
import { createApiKeyVerifier } from '../../src/create-api-key-verifier.js';
import { apiKeyDeletedMessage, apiKeyRecordKey, apiKeyRedisLayout } from '../../src/redis-layout.js';
import { createApiKeyRecordVerifier } from '../../src/verify-api-key-record.js';
import { type ForgedApiKey, forgeApiKeyRecord, testHashKey } from '../support/record-forge.js';

const base = {
  issuer: 'https://auth.mirror.test',
  audience: 'https://api.mirror.test',
  hashKey: testHashKey(),
};

/** The record mirror against the real Redis, as a resource server runs it, records signed by a test key. */
describe('createApiKeyRecordMirror', () => {
  const { keyPrefix } = uniqueLayout();
  const { channel } = apiKeyRedisLayout(keyPrefix);
  let redis: Redis;
  let key: TestSigningKey;
  let jwks: JwksServer;
  const warnings: { message: string; details?: Record<string, unknown> }[] = [];
  const opened: { stop(): Promise<void>; clients: Redis[] }[] = [];

  beforeAll(async () => {
    redis = await connectedClient();
    key = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
  });
  afterEach(async () => {
    for (const { stop, clients } of opened.splice(0)) {
      await stop();
      for (const client of clients) client.disconnect();
    }
    await deleteKeys(redis, keyPrefix);
    warnings.length = 0;
    jwks.publish([key.publicJwk]);
  });
  afterAll(async () => {
    redis.disconnect();
    await jwks?.close();
  });

  /** Writes a record as the auth server does: the key with a TTL, then the channel. */
  const publish = async (forged: ForgedApiKey, { announce = true } = {}) => {
    await redis.set(apiKeyRecordKey(keyPrefix, forged.issued.id), forged.jws, 'EX', 300);
    if (announce) await redis.publish(channel, forged.jws);
  };

  const tokens = () =>
    createAccessTokenVerifier({
      issuer: base.issuer,
      audience: base.audience,
      jwksUri: jwks.url,
      jwks: { unknownKidCooldownSeconds: 1 },
    });

  async function startMirror(): Promise<{ mirror: ApiKeyRecordMirror; clients: Redis[] }> {
    const clients = [createRedisClient(REDIS_URL), createRedisClient(REDIS_URL)];
    await Promise.all(clients.map((client) => client.connect()));
    const mirror = createApiKeyRecordMirror({
      redis: clients[0] as Redis,
      subscriber: clients[1] as Redis,
      keyPrefix,
      verifyRecord: createApiKeyRecordVerifier({
        keys: tokens().keys,
        issuer: base.issuer,
        audience: base.audience,
        algorithms: ['ES256'],
      }),
      reloadIntervalMs: 60_000,
      logger: { warn: (message, details) => warnings.push({ message, details }) },
    });
    opened.push({ stop: () => mirror.stop(), clients });
    expect(await mirror.start()).toBe(true);
    return { mirror, clients };
  }

  it('loads the records already in Redis and ignores invalid ones without logging them', async () => {
    const first = await forgeApiKeyRecord(key, base);
    const second = await forgeApiKeyRecord(key, base, { claims: { owner: 'user', sub: 'user-1' } });
    const otherAudience = await forgeApiKeyRecord(key, { ...base, audience: 'https://other.test' });
    for (const forged of [first, second, otherAudience]) await publish(forged, { announce: false });
    await redis.set(apiKeyRecordKey(keyPrefix, 'junk'), 'not-a-record');

    const { mirror } = await startMirror();
    expect(mirror.get(first.issued.id)?.claims).toEqual(first.claims);
    expect(mirror.get(second.issued.id)?.claims.sub).toBe('user-1');
    expect(mirror.get(otherAudience.issued.id)).toBeUndefined();
    expect(mirror.status()).toMatchObject({ loaded: true, records: 2, subscribed: true });
    expect(warnings.map((warning) => warning.details?.reason).sort()).toEqual([
      'malformed',
      'wrong_audience',
    ]);
    expect(JSON.stringify(warnings)).not.toContain(otherAudience.jws);
  });

  it('hears new and re-signed records on the channel, keeping the latest iat', async () => {
    const { mirror } = await startMirror();
    const now = Math.floor(Date.now() / 1000);
    const original = await forgeApiKeyRecord(key, base, {
      claims: { iat: now - 5, permissions: ['items:read', 'items:write'] },
    });
    await publish(original);
    await waitFor(() => mirror.get(original.issued.id) !== undefined, 5000, 'the record');

    const narrower = await forgeApiKeyRecord(
      key,
      base,
      { claims: { iat: now, permissions: ['items:read'] } },
      original.issued,
    );
    await publish(narrower);
    await waitFor(
      () => mirror.get(original.issued.id)?.claims.permissions.length === 1,
      5000,
      'the re-signed record',
    );
    // An older record arriving late (a replay, a slow publisher) does not win.
    await redis.publish(channel, original.jws);
    const marker = await forgeApiKeyRecord(key, base);
    await publish(marker);
    await waitFor(() => mirror.get(marker.issued.id) !== undefined, 5000, 'the marker record');
    expect(mirror.get(original.issued.id)?.claims.permissions).toEqual(['items:read']);
  });

  it('drops a record on a deleted: message, and on a reload that no longer finds it', async () => {
    const deleted = await forgeApiKeyRecord(key, base);
    const vanished = await forgeApiKeyRecord(key, base);
    const quiet = await forgeApiKeyRecord(key, base);
    await publish(deleted, { announce: false });
    await publish(vanished, { announce: false });
    const { mirror } = await startMirror();
    expect(mirror.status().records).toBe(2);

    await redis.publish(channel, apiKeyDeletedMessage(deleted.issued.id));
    await waitFor(() => mirror.get(deleted.issued.id) === undefined, 5000, 'the deletion');

    await redis.del(apiKeyRecordKey(keyPrefix, vanished.issued.id));
    await publish(quiet, { announce: false });
    expect(await mirror.reload()).toBe(true);
    expect(mirror.get(vanished.issued.id)).toBeUndefined();
    expect(mirror.get(quiet.issued.id)?.claims.key_id).toBe(quiet.issued.id);
  });

  it('keeps a record of a not-yet-published signing key and accepts it once the JWKS has it', async () => {
    const { mirror } = await startMirror();
    const rotated = await createTestSigningKey('ES256');
    const early = await forgeApiKeyRecord(rotated, base);
    await publish(early);
    await waitFor(() => mirror.status().pending === 1, 5000, 'the record to wait for its key');
    expect(mirror.get(early.issued.id)).toBeUndefined();

    jwks.publish([key.publicJwk, rotated.publicJwk]);
    const deadline = Date.now() + 10_000;
    while (mirror.get(early.issued.id) === undefined && Date.now() < deadline) {
      await mirror.reload();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(mirror.get(early.issued.id)?.keyId).toBe(rotated.kid);
    expect(mirror.status().pending).toBe(0);
  });

  it('stops a key revoked through a jti revocation, published on the revocation channel', async () => {
    const layout = revocationRedisLayout(keyPrefix);
    await seedRevocations(redis, [], layout);
    const { mirror: records, clients } = await startMirror();
    const revocations: RevocationMirror = createRevocationMirror({
      redis: clients[0] as Redis,
      subscriber: clients[1] as Redis,
      ...layout,
    });
    await revocations.start();
    opened.push({ stop: () => revocations.stop(), clients: [] });
    const verifier = createApiKeyVerifier({ records, hashKey: base.hashKey, revocation: revocations });
    const forged = await forgeApiKeyRecord(key, base);
    await publish(forged);
    await waitFor(() => records.get(forged.issued.id) !== undefined, 5000, 'the record');
    expect((await verifier.verify(forged.issued.key)).tokenId).toBe(forged.issued.id);

    const now = Date.now();
    await publishRevocation(
      redis,
      { kind: 'jti', value: forged.issued.id, revokedAt: now, expiresAt: now + 600_000 },
      layout,
    );
    // Polled with a generous bound: the channel normally delivers it within milliseconds.
    let refusal: unknown;
    const deadline = Date.now() + 5000;
    while (refusal === undefined && Date.now() < deadline) {
      refusal = await verifier.verify(forged.issued.key).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (refusal === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refusal instanceof InvalidTokenError && refusal.reason).toBe('revoked');
  });
});
