import { upsertRole } from '@portcullis/db';
// The resource server's tests need real tokens: they drive the auth server's own test harness.
import {
  startTestAuthServer,
  type TestAuthServer,
} from '../../../auth-server/test/support/test-auth-server.js';
import { testResource } from '../../../auth-server/test/support/test-environment.js';
import type { ContainerOverrides } from '../../src/container.js';
import { startTestResourceServer, type TestResourceServer } from './test-resource-server.js';

export interface TestStack {
  auth: TestAuthServer;
  api: TestResourceServer;
  /** A password-grant access token for a new user with these roles (and direct permissions). */
  userToken(
    username: string,
    roles: string[],
    permissions?: string[],
  ): Promise<{ token: string; subject: string }>;
  /** A client_credentials token for a new service client with these roles and scopes. */
  serviceToken(clientId: string, roles: string[], scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

const ITEM_SCOPES = ['items:read', 'items:write', 'items:delete'];

/** The demo authorization model (apps/auth-server/src/seed/demo-data.ts). */
async function addItemRoles(auth: TestAuthServer): Promise<void> {
  const all = [...ITEM_SCOPES, 'items:write:any', 'items:delete:any'];
  await upsertRole(auth.prisma, { name: 'admin', permissions: all });
  await upsertRole(auth.prisma, { name: 'editor', permissions: ['items:read', 'items:write'] });
  await upsertRole(auth.prisma, { name: 'viewer', permissions: ['items:read'] });
}

/**
 * A real auth server and a real resource server sharing one test database (as in `npm start`), the resource
 * server reading keys from the auth server's JWKS.
 */
export async function startTestStack(
  authOverrides: Record<string, string> = {},
  apiEnv: Record<string, string> = {},
  apiOverrides: ContainerOverrides = {},
): Promise<TestStack> {
  const auth = await startTestAuthServer({ SCOPES: ITEM_SCOPES.join(' '), ...authOverrides });
  await addItemRoles(auth);
  await auth.addClient({
    id: 'web',
    secret: 'web-secret',
    grantTypes: ['password', 'refresh_token'],
    scopes: ITEM_SCOPES,
    firstParty: true,
  });
  const api = await startTestResourceServer(
    {
      DATABASE_URL: auth.config.databaseUrl,
      ISSUER: auth.config.issuer,
      AUDIENCE: testResource,
      JWKS_URI: `${auth.url}/jwks`,
      ...apiEnv,
    },
    apiOverrides,
  );
  return {
    auth,
    api,
    async userToken(username, roles, permissions = []) {
      const subject = await auth.addUser({ username, password: `${username}-password`, roles, permissions });
      const response = await auth.token(
        { grant_type: 'password', username, password: `${username}-password`, scope: ITEM_SCOPES.join(' ') },
        { id: 'web', secret: 'web-secret' },
      );
      if (response.status !== 200) throw new Error(`password grant failed: ${JSON.stringify(response.body)}`);
      return { token: response.body.access_token as string, subject };
    },
    async serviceToken(clientId, roles, scopes) {
      await auth.addClient({
        id: clientId,
        secret: `${clientId}-secret`,
        grantTypes: ['client_credentials'],
        scopes,
        roles,
      });
      const response = await auth.token(
        { grant_type: 'client_credentials', scope: scopes.join(' ') },
        { id: clientId, secret: `${clientId}-secret` },
      );
      if (response.status !== 200)
        throw new Error(`client_credentials failed: ${JSON.stringify(response.body)}`);
      return response.body.access_token as string;
    },
    async close() {
      await api.close();
      await auth.close();
    },
  };
}
