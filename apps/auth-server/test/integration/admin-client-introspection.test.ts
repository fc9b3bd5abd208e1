import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { upsertClient } from '@portcullis/db';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../support/admin-tokens.js';
import { postForm } from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

interface ClientBody {
  id: string;
  introspection: boolean;
  clientSecret?: string;
}

/** The `introspection` flag of `/clients`: who may call RFC 7662 introspection, set through the admin API. */
describe('admin API: clients allowed to introspect', () => {
  let server: TestAuthServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestAuthServer();
    admin = await adminTokenWith(server, [...ADMIN_PERMISSIONS]);
  }, 30_000);
  afterAll(async () => server?.close());

  const send = (method: string, path: string, body?: unknown) =>
    adminRequest(server, path, admin, { method, body });
  const introspectStatus = async (id: string, secret: string) =>
    (await postForm(server, '/token/introspection', { token: admin }, { id, secret })).status;

  it('creates a client allowed to introspect, shows the flag, and its secret works at the endpoint', async () => {
    const response = await send('POST', '/clients', {
      id: 'orders-api',
      grantTypes: ['client_credentials'],
      scopes: [],
      introspection: true,
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as ClientBody;
    expect(created.introspection).toBe(true);
    expect(await introspectStatus('orders-api', created.clientSecret!)).toBe(200);
    expect(((await (await send('GET', '/clients/orders-api')).json()) as ClientBody).introspection).toBe(
      true,
    );

    const updated = await send('PATCH', '/clients/orders-api', { introspection: false });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as ClientBody).introspection).toBe(false);
    expect(await introspectStatus('orders-api', created.clientSecret!)).toBe(401);

    await server.container.flushAudit();
    const [event] = await server.prisma.auditEvent.findMany({
      where: { type: 'admin.client.updated', subject: 'orders-api' },
    });
    expect(event?.details).toMatchObject({
      before: { introspection: true },
      after: { introspection: false },
    });
  });

  it('creates clients without it by default', async () => {
    const response = await send('POST', '/clients', {
      id: 'plain',
      grantTypes: ['client_credentials'],
      scopes: [],
    });
    const created = (await response.json()) as ClientBody;
    expect(created.introspection).toBe(false);
    expect(await introspectStatus('plain', created.clientSecret!)).toBe(401);
  });

  it('refuses it for a client without a secret, and a value that is not a boolean', async () => {
    await upsertClient(server.prisma, {
      id: 'public-app',
      secretHash: null,
      grantTypes: ['client_credentials'],
      scopes: [],
    });
    const publicClient = await send('PATCH', '/clients/public-app', { introspection: true });
    expect(publicClient.status).toBe(400);
    expect(await publicClient.json()).toMatchObject({
      errors: [expect.objectContaining({ path: 'introspection' })],
    });

    const notBoolean = await send('POST', '/clients', {
      id: 'odd',
      grantTypes: ['client_credentials'],
      scopes: [],
      introspection: 'yes',
    });
    expect(notBoolean.status).toBe(400);
  });

  it('documents the flag in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.adminUrl}/docs/openapi.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(document)).toContain('RFC 7662');
  });
});
