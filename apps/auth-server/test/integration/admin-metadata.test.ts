import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_PERMISSIONS } from '../../src/admin/admin-permissions.js';
import { adminRequest } from '../support/admin-tokens.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

/** RFC 9728 protected resource metadata on the admin listener: all a client needs to get an admin token. */
describe('admin API: protected resource metadata', () => {
  let server: TestAuthServer;
  beforeAll(async () => {
    server = await startTestAuthServer();
  }, 30_000);
  afterAll(async () => server?.close());

  const metadataPath = '/.well-known/oauth-protected-resource';

  it('is served without a token and names the admin resource, its issuer and scope', async () => {
    const response = await adminRequest(server, metadataPath, undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({
      resource: server.config.admin.resource,
      authorization_servers: [server.config.issuer],
      scopes_supported: ['admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'Portcullis admin API',
    });
  });

  it('leads a client from the admin URL alone to a token the admin API accepts', async () => {
    const metadata = (await (await adminRequest(server, metadataPath, undefined)).json()) as {
      resource: string;
      authorization_servers: string[];
      scopes_supported: string[];
    };
    // The test issuer identifier is not the port the server listens on; discovery is read from the real
    // port and must name the same issuer (RFC 8414 §3.3).
    const discovery = (await (
      await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    ).json()) as {
      issuer: string;
      token_endpoint: string;
    };
    expect(discovery.issuer).toBe(metadata.authorization_servers[0]);

    await server.addClient({
      id: 'automation',
      secret: 'automation-secret',
      grantTypes: ['client_credentials'],
      scopes: metadata.scopes_supported,
      permissions: [...ADMIN_PERMISSIONS],
    });
    const tokenResponse = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('automation:automation-secret').toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: metadata.scopes_supported.join(' '),
        resource: metadata.resource,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    expect((await adminRequest(server, '/keys', token)).status).toBe(200);
  });

  it('is not served by the public listener', async () => {
    const response = await fetch(`${server.url}${metadataPath}`);
    expect(response.status).toBe(404);
  });

  it('answers a write method with a problem, not the document', async () => {
    const response = await adminRequest(server, metadataPath, undefined, { method: 'POST', body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
