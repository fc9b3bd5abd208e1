import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource, testScopes } from '../support/test-environment.js';

/** The admin listener: separate port, the guard in front, signing-key routes as its first resource. */
describe('admin API: listener, authorization and signing keys', () => {
  let server: TestAuthServer;
  let fullAdmin: string;
  let keysViewer: string;
  let usersAdmin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    fullAdmin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    keysViewer = await adminTokenWith(server, ['admin:keys:read']);
    usersAdmin = await adminTokenWith(server, ['admin:users:read', 'admin:users:write']);
  }, 30_000);
  afterAll(async () => server?.close());

  it('answers 401 without a token, naming the admin realm', async () => {
    const response = await adminRequest(server, '/keys', undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="portcullis-admin"');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a token for a resource server, even one holding every permission', async () => {
    await server.addClient({
      id: 'items-service',
      secret: 'items-secret',
      grantTypes: ['client_credentials'],
      scopes: testScopes,
      permissions: [...ADMIN_PERMISSIONS],
    });
    const items = await server.token(
      { grant_type: 'client_credentials', scope: 'items:read', resource: testResource },
      { id: 'items-service', secret: 'items-secret' },
    );
    const response = await adminRequest(server, '/keys', items.body.access_token as string);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('does not issue the admin scope for another audience', async () => {
    await server.addClient({
      id: 'sneaky',
      secret: 'sneaky-secret',
      grantTypes: ['client_credentials'],
      scopes: ['admin', ...testScopes],
    });
    const response = await server.token(
      { grant_type: 'client_credentials', scope: 'admin items:read', resource: testResource },
      { id: 'sneaky', secret: 'sneaky-secret' },
    );
    // Scopes are per audience: oidc-provider drops the admin scope from an items token.
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('items:read');
  });

  it('gives 403 insufficient_scope to an admin without the keys permission', async () => {
    const response = await adminRequest(server, '/keys', usersAdmin);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('lets a read-only admin list keys but not rotate them', async () => {
    const list = await adminRequest(server, '/keys', keysViewer);
    expect(list.status).toBe(200);
    const { keys } = (await list.json()) as { keys: { kid: string; status: string }[] };
    expect(keys).toEqual([expect.objectContaining({ status: 'active', alg: 'ES256' })]);
    expect(JSON.stringify(keys)).not.toMatch(/"d"|private/i);
    expect((await adminRequest(server, '/keys/rotate', keysViewer, { method: 'POST' })).status).toBe(403);
  });

  it('rotates the signing key, publishes it as pending and audits who did it', async () => {
    const response = await adminRequest(server, '/keys/rotate', fullAdmin, {
      method: 'POST',
      body: { activateInSeconds: 600 },
    });
    expect(response.status).toBe(201);
    const { kid } = (await response.json()) as { kid: string };
    const { keys } = (await (await adminRequest(server, '/keys', fullAdmin)).json()) as {
      keys: { kid: string; status: string }[];
    };
    expect(keys.find((key) => key.kid === kid)).toMatchObject({ status: 'pending' });
    await server.container.flushAudit();
    const events = await server.prisma.auditEvent.findMany({ where: { type: 'admin.key.rotated' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ clientId: expect.stringMatching(/^admin-/), details: { kid } });
  });

  it('refuses bad input with a problem listing the field', async () => {
    const response = await adminRequest(server, '/keys/rotate', fullAdmin, {
      method: 'POST',
      body: { activateInSeconds: -1 },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [expect.objectContaining({ path: 'activateInSeconds' })],
    });
  });

  it('validates a chunked body too (no Content-Length), instead of ignoring it', async () => {
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"activateInSeconds":999999999}'));
        controller.close();
      },
    });
    const response = await fetch(`${server.adminUrl}/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fullAdmin}`, 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [expect.objectContaining({ path: 'activateInSeconds' })],
    });
  });

  it('is not reachable through the public listener', async () => {
    const response = await fetch(`${server.url}/keys`, { headers: { authorization: `Bearer ${fullAdmin}` } });
    expect(response.status).toBe(404);
  });
});

interface KeyBody {
  kid: string;
  alg: string;
  status: string;
  activatesAt: string;
  supersededAt: string | null;
  retiresAt: string | null;
}

/** `POST /keys/:kid/retire`: a key that no longer signs leaves JWKS now, and its tokens stop verifying. */
describe('admin API: retiring signing keys', () => {
  let server: TestAuthServer;
  let admin: string;
  let keysViewer: string;
  const service = { id: 'svc', secret: 'svc-secret' };

  beforeAll(async () => {
    server = await startTestAuthServer({ KEY_RELOAD_INTERVAL_SECONDS: '1' });
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
    keysViewer = await adminTokenWith(server, ['admin:keys:read']);
    await server.addClient({ ...service, grantTypes: ['client_credentials'], scopes: testScopes });
  }, 30_000);
  afterAll(async () => server?.close());

  const retire = (kid: string, token = admin) =>
    adminRequest(server, `/keys/${encodeURIComponent(kid)}/retire`, token, { method: 'POST' });
  const rotate = async (activateInSeconds: number) => {
    const response = await adminRequest(server, '/keys/rotate', admin, {
      method: 'POST',
      body: { activateInSeconds },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { kid: string }).kid;
  };
  const listedKids = async (token = admin) => {
    const response = await adminRequest(server, '/keys', token);
    expect(response.status).toBe(200);
    return ((await response.json()) as { keys: KeyBody[] }).keys.map((key) => key.kid);
  };
  const publishedKids = async () => (await server.jwks()).keys.map((key) => key.kid);
  const itemsToken = async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'items:read' }, service);
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const retiredEvents = async () => {
    await server.container.flushAudit();
    return server.prisma.auditEvent.findMany({ where: { type: 'admin.key.retired' } });
  };

  it('refuses the key that signs with 409, rotate first', async () => {
    const [signing] = await server.prisma.signingKey.findMany({ where: { status: 'active' } });
    const response = await retire(signing!.kid);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining('rotate first') });
    expect(await publishedKids()).toContain(signing!.kid);
  });

  it('answers 404 for an unknown kid, 400 for one that cannot be a kid, 403 for a viewer', async () => {
    expect((await retire('no-such-kid')).status).toBe(404);
    const malformed = await retire('not a kid!');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ errors: [expect.objectContaining({ path: 'kid' })] });
    const pending = await rotate(3600);
    expect((await retire(pending, keysViewer)).status).toBe(403);
  });

  it('retires a pending key before it ever signs, and audits who did it', async () => {
    const pending = await rotate(3600);
    expect(await listedKids()).toContain(pending);

    const response = await retire(pending);

    expect(response.status).toBe(200);
    const key = (await response.json()) as KeyBody;
    expect(key).toMatchObject({ kid: pending, status: 'retired', supersededAt: null });
    expect(Date.parse(key.retiresAt as string)).toBeLessThanOrEqual(Date.now());
    expect(await listedKids()).not.toContain(pending);
    // The route reloads this instance's key ring itself: no wait for KEY_RELOAD_INTERVAL_SECONDS.
    expect(await publishedKids()).not.toContain(pending);
    const events = await retiredEvents();
    expect(events.find((event) => event.subject === pending)).toMatchObject({
      actor: expect.stringMatching(/^admin-/),
      details: { kid: pending, after: { status: 'retired' } },
    });
  });

  it('retires a superseded key once every instance has stopped signing with it: its tokens stop verifying', async () => {
    const oldToken = await itemsToken();
    const [oldKey] = await server.prisma.signingKey.findMany({ where: { status: 'active' } });
    const oldKid = oldKey!.kid;
    // The emergency rotation: the new key signs at once, the old one would stay published 11 more minutes.
    const newKid = await rotate(0);
    await expect(server.verifyAccessToken(oldToken)).resolves.toBeDefined();

    // Other instances may sign with it until their next key reload (1 s here): too early is a 409.
    const early = await retire(oldKid);
    expect(early.status).toBe(409);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const response = await retire(oldKid);

    expect(response.status).toBe(200);
    const key = (await response.json()) as KeyBody;
    expect(key).toMatchObject({ kid: oldKid, status: 'retired', supersededAt: expect.any(String) });
    expect(Date.parse(key.retiresAt as string)).toBeLessThanOrEqual(Date.now());
    const auditedRetirements = (await retiredEvents()).length;

    // Again: the key is already out of JWKS, so nothing changes and nothing more is audited.
    const again = await retire(oldKid);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(key);
    expect(await retiredEvents()).toHaveLength(auditedRetirements);

    const published = await publishedKids();
    expect(published).toContain(newKid);
    expect(published).not.toContain(oldKid);
    await expect(server.verifyAccessToken(oldToken)).rejects.toThrow();
    await expect(server.verifyAccessToken(await itemsToken())).resolves.toBeDefined();
  });
});
