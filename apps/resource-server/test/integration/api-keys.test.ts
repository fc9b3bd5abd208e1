import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKeyRecordKey, apiKeyRedisLayout } from '@portcullis/api-keys';
import { publishRevocation, revocationRedisLayout, seedRevocations } from '@portcullis/revocation';
import { mountedRouters, type OpenApiDocument, openApiPath } from '@portcullis/service-kit';
import type { Redis } from 'ioredis';
import {
  type ForgedApiKey,
  forgeApiKeyRecord,
  testHashKey,
} from '../../../../packages/api-keys/test/support/record-forge.js';
import {
  connectedClient,
  deleteKeys,
  uniqueLayout,
} from '../../../../packages/revocation/test/support/redis-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import {
  createTestSigningKey,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { apiKeyOperations } from '../../src/resource-server-openapi.js';
import { startTestResourceServer, type TestResourceServer } from '../support/test-resource-server.js';

const ISSUER = 'https://auth.api-keys.test';
const AUDIENCE = 'https://api.api-keys.test';

type Json = Record<string, unknown>;

/**
 * X-API-Key on the resource server (issue 8), with the real guard, a real Redis and PostgreSQL: signed
 * records published as the auth server publishes them, checked offline, refused after a revocation.
 */
describe('resource server with API keys', () => {
  const { keyPrefix } = uniqueLayout();
  const hashKey = testHashKey();
  const base = { issuer: ISSUER, audience: AUDIENCE, hashKey };
  let redis: Redis;
  let database: TestDatabase;
  let key: TestSigningKey;
  let jwks: JwksServer;
  let api: TestResourceServer;
  let reader: ForgedApiKey;
  let writer: ForgedApiKey;

  /** Writes and announces a record as the auth server does. */
  const publish = async (forged: ForgedApiKey) => {
    await redis.set(apiKeyRecordKey(keyPrefix, forged.issued.id), forged.jws, 'EX', 300);
    await redis.publish(apiKeyRedisLayout(keyPrefix).channel, forged.jws);
  };

  beforeAll(async () => {
    redis = await connectedClient();
    await seedRevocations(redis, [], revocationRedisLayout(keyPrefix));
    database = await createTestDatabase();
    key = await createTestSigningKey('ES256');
    jwks = await startJwksServer([key.publicJwk]);
    reader = await forgeApiKeyRecord(key, base);
    writer = await forgeApiKeyRecord(key, base, {
      claims: {
        owner: 'user',
        sub: 'user-api-keys',
        client_id: 'api-key',
        scope: 'items:read items:write',
        permissions: ['items:read', 'items:write'],
      },
    });
    await publish(reader);
    api = await startTestResourceServer({
      DATABASE_URL: database.url,
      ISSUER,
      AUDIENCE,
      JWKS_URI: jwks.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: keyPrefix,
      API_KEY_HASH_KEY: hashKey.toString('base64url'),
    });
    await publish(writer);
  }, 30_000);
  afterAll(async () => {
    await api?.close();
    await jwks?.close();
    await database?.drop();
    if (redis) {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });

  const withKey = (path: string, apiKey: string, init: RequestInit = {}) =>
    api.request(path, { ...init, headers: { 'x-api-key': apiKey, ...(init.headers as Json) } });
  /** Polls until `path` answers `status` with this key (a record or revocation travels through Redis). */
  const waitForStatus = async (path: string, apiKey: string, status: number) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const response = await withKey(path, apiKey);
      await response.arrayBuffer();
      if (response.status === status) return;
      if (Date.now() > deadline) throw new Error(`${path} still ${response.status}, not ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('serves GET /items to a key loaded at start, and reports the mirror ready', async () => {
    const response = await withKey('/items', reader.issued.key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [], nextCursor: null });
    const ready = await api.request('/readyz');
    expect(((await ready.json()) as { checks: Json }).checks).toMatchObject({ apiKeys: 'ok' });
  });

  it('lets a key published after start create and read items as its owner', async () => {
    await waitForStatus('/me', writer.issued.key, 200);
    const created = await withKey('/items', writer.issued.key, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made by a machine' }),
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; owner: string };
    expect(item.owner).toBe('user-api-keys');
    expect((await withKey(`/items/${item.id}`, reader.issued.key)).status).toBe(200);

    const me = await withKey('/me', writer.issued.key);
    expect(await me.json()).toMatchObject({
      kind: 'user',
      subject: 'user-api-keys',
      clientId: 'api-key',
      tokenId: writer.issued.id,
      grantId: null,
      credential: 'api_key',
    });
  });

  it('answers 403 insufficient_scope when the key lacks what the route needs', async () => {
    const response = await withKey('/items', reader.issued.key, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'not allowed' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('refuses keys on routes that did not opt in, bad keys, and a key sent with a token', async () => {
    const statistics = await withKey('/items/statistics', reader.issued.key);
    expect(statistics.status).toBe(401);
    expect(((await statistics.json()) as Json).detail).toBe(
      'this route does not accept API keys; send an access token',
    );

    const wrongSecret = `${reader.issued.key.slice(0, -6)}AAAAAA`;
    for (const bad of [wrongSecret, 'pcl_0123456789abcdef0123_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await withKey('/items', bad);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const body = await response.text();
      expect(body).toContain('the API key is not valid');
      expect(body).not.toContain(bad);
    }

    const token = await forgeAccessToken(key, base, { claims: { scope: 'items:read' } });
    const both = await api.request('/items', { token, headers: { 'x-api-key': reader.issued.key } });
    expect(both.status).toBe(400);
  });

  it('documents the apiKey scheme on exactly the routes whose guard accepts keys', async () => {
    const document = (await (await api.request('/docs/openapi.json')).json()) as OpenApiDocument;
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) =>
          ((operation as { security?: Json[] }).security ?? []).some((entry) => 'apiKey' in entry),
        )
        .map(([method]) => `${method} ${path}`),
    );
    const enforced = mountedRouters(api.container.app).flatMap((router) =>
      router.stack.flatMap((layer) => {
        const accepts = (layer.stack ?? []).some(
          (middleware) => (middleware as { acceptsApiKey?: boolean }).acceptsApiKey === true,
        );
        return accepts
          ? layer.methods
              .filter((method) => method !== 'HEAD')
              .map((method) => `${method.toLowerCase()} ${openApiPath(String(layer.path))}`)
          : [];
      }),
    );
    const listed = apiKeyOperations.map((entry) => {
      const [method, path] = entry.split(' ') as [string, string];
      return `${method} ${openApiPath(path)}`;
    });
    expect(new Set(enforced)).toEqual(new Set(listed));
    expect(new Set(documented)).toEqual(new Set(listed));
  });

  it('refuses a key within the revocation window once its id is revoked as a jti', async () => {
    expect((await withKey('/items', reader.issued.key)).status).toBe(200);
    const now = Date.now();
    await publishRevocation(
      redis,
      { kind: 'jti', value: reader.issued.id, revokedAt: now, expiresAt: now + 600_000 },
      revocationRedisLayout(keyPrefix),
    );
    await waitForStatus('/items', reader.issued.key, 401);
    const refused = await withKey('/items', reader.issued.key);
    expect(((await refused.json()) as Json).detail).toBe('the API key has been revoked');
    // The other key is untouched.
    expect((await withKey('/items', writer.issued.key)).status).toBe(200);
  });

  it('counts API key refusals by reason, and never exposes a key in metrics', async () => {
    const scrape = await api.container.metrics.scrape();
    for (const reason of ['unknown_api_key', 'api_key_not_accepted', 'revoked', 'insufficient_scope']) {
      expect(scrape).toMatch(
        new RegExp(`token_verification_failures_total\\{[^}]*reason="${reason}"[^}]*\\} [1-9]`),
      );
    }
    for (const forged of [reader, writer]) expect(scrape).not.toContain(forged.issued.key);
  });
});
