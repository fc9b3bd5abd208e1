import { randomUUID } from 'node:crypto';
import type { TestAuthServer } from './test-auth-server.js';

/**
 * A client_credentials token for the admin API held by a new service client with exactly these
 * permissions (and the `admin` scope): how an operator's automation talks to the admin listener.
 */
export async function adminTokenWith(server: TestAuthServer, permissions: string[]): Promise<string> {
  const id = `admin-${randomUUID()}`;
  await server.addClient({
    id,
    secret: `${id}-secret`,
    grantTypes: ['client_credentials'],
    scopes: ['admin'],
    permissions,
  });
  const response = await server.token(
    { grant_type: 'client_credentials', scope: 'admin', resource: server.config.admin.resource },
    { id, secret: `${id}-secret` },
  );
  if (response.status !== 200) throw new Error(`admin token refused: ${JSON.stringify(response.body)}`);
  return response.body.access_token as string;
}

/** fetch() against the admin listener with a bearer token and an optional JSON body. */
export function adminRequest(
  server: TestAuthServer,
  path: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  return fetch(`${server.adminUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
