import * as oauth from 'oauth4webapi';
import type { DemoCredentials } from '../../../auth-server/src/seed/demo-data.js';
import { type AuthInstance, insecure, type ResourceInstance } from './multi-instance-cluster.js';

/**
 * Every request of the multi-instance tests is bounded: a hung answer fails at once with the request named,
 * instead of running into the test's timeout. Generous — a Redis command times out after 500 ms, and a
 * token request waits for at most two of those — but far below what a hung Redis would cost.
 */
export const REQUEST_BOUND_MS = 3000;

/** What a test looks at: status, headers and the parsed body (JSON when it is JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** How long the request took, in ms. */
  elapsedMs: number;
}

/** A confidential client as oauth4webapi takes it: metadata and HTTP Basic authentication. */
export interface OAuthClient {
  client: oauth.Client;
  auth: oauth.ClientAuth;
}

/** A demo client from the seed's credentials file. */
export function demoClient(credentials: DemoCredentials, clientId: string): OAuthClient {
  const found = credentials.clients.find((client) => client.clientId === clientId);
  if (!found) throw new Error(`no demo client ${clientId}`);
  return oauthClient(found.clientId, found.clientSecret);
}

export function oauthClient(clientId: string, clientSecret: string): OAuthClient {
  return { client: { client_id: clientId }, auth: oauth.ClientSecretBasic(clientSecret) };
}

/** The demo user's password from the seed's credentials file. */
export function demoPassword(credentials: DemoCredentials, username: string): string {
  const found = credentials.users.find((user) => user.username === username);
  if (!found) throw new Error(`no demo user ${username}`);
  return found.password;
}

/** Reads a fetch Response into an Answer (the body is consumed, so the connection is free again). */
export async function toAnswer(response: Response, startedAt: number): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body, elapsedMs: Date.now() - startedAt };
}

/** Options oauth4webapi takes for one bounded request over http://, with extra headers. */
function requestOptions(headers: Record<string, string> = {}) {
  return { ...insecure, signal: AbortSignal.timeout(REQUEST_BOUND_MS), headers };
}

/** A client_credentials request at this instance's token endpoint; the raw answer (any status). */
export async function clientCredentialsRequest(
  instance: AuthInstance,
  { client, auth }: OAuthClient,
  scope: string,
  headers?: Record<string, string>,
): Promise<Answer> {
  const startedAt = Date.now();
  return toAnswer(
    await oauth.clientCredentialsGrantRequest(instance.as, client, auth, { scope }, requestOptions(headers)),
    startedAt,
  );
}

/** A client_credentials access token from this instance; throws unless it is issued. */
export async function clientCredentialsToken(
  instance: AuthInstance,
  { client, auth }: OAuthClient,
  scope: string,
): Promise<string> {
  const response = await oauth.clientCredentialsGrantRequest(
    instance.as,
    client,
    auth,
    { scope },
    requestOptions(),
  );
  return (await oauth.processClientCredentialsResponse(instance.as, client, response)).access_token;
}

/** A password-grant request at this instance's token endpoint; the raw answer (any status). */
export async function passwordRequest(
  instance: AuthInstance,
  { client, auth }: OAuthClient,
  login: { username: string; password: string; scope?: string },
  headers?: Record<string, string>,
): Promise<Answer> {
  const startedAt = Date.now();
  const parameters = {
    username: login.username,
    password: login.password,
    scope: login.scope ?? 'items:read',
  };
  return toAnswer(
    await oauth.genericTokenEndpointRequest(
      instance.as,
      client,
      auth,
      'password',
      parameters,
      requestOptions(headers),
    ),
    startedAt,
  );
}

/** Access and refresh token of a password login at this instance; throws unless they are issued. */
export async function passwordLogin(
  instance: AuthInstance,
  { client, auth }: OAuthClient,
  username: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await oauth.genericTokenEndpointRequest(
    instance.as,
    client,
    auth,
    'password',
    { username, password, scope: 'items:read' },
    requestOptions(),
  );
  const tokens = await oauth.processGenericTokenEndpointResponse(instance.as, client, response);
  if (!tokens.refresh_token) throw new Error('the password grant issued no refresh token');
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

/** RFC 7009 at this instance's revocation endpoint, as the client itself; throws unless it answers 200. */
export async function revokeAsClient(
  instance: AuthInstance,
  { client, auth }: OAuthClient,
  token: string,
): Promise<void> {
  const response = await oauth.revocationRequest(instance.as, client, auth, token, requestOptions());
  await oauth.processRevocationResponse(response);
}

/** An admin-API token (demo-admin, scope admin) from this instance; the admin API of every instance takes it. */
export function adminToken(instance: AuthInstance, credentials: DemoCredentials): Promise<string> {
  return clientCredentialsToken(instance, demoClient(credentials, 'demo-admin'), 'admin');
}

/** A bounded request to this instance's admin API; a body is sent as JSON. */
export async function adminRequest(
  instance: AuthInstance,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const startedAt = Date.now();
  const response = await fetch(`${instance.adminUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return toAnswer(response, startedAt);
}

/** POST /revocations through this instance's admin API; throws unless it answers 201. */
export async function revokeThroughAdmin(
  instance: AuthInstance,
  token: string,
  revocation: { kind: string; value: string },
): Promise<Answer> {
  const answer = await adminRequest(instance, token, '/revocations', {
    method: 'POST',
    body: { ...revocation, reason: 'multi-instance e2e' },
  });
  if (answer.status !== 201) {
    throw new Error(
      `${instance.name} refused the revocation (${answer.status}): ${JSON.stringify(answer.body)}`,
    );
  }
  return answer;
}

/** Creates a user through the admin API (role viewer); resolves with its id. */
export async function createUser(
  instance: AuthInstance,
  token: string,
  user: { username: string; password: string },
): Promise<string> {
  const answer = await adminRequest(instance, token, '/users', {
    method: 'POST',
    body: { ...user, roles: ['viewer'] },
  });
  if (answer.status !== 201)
    throw new Error(`user not created (${answer.status}): ${JSON.stringify(answer.body)}`);
  return (answer.body as { id: string }).id;
}

/** Creates a confidential client through the admin API; resolves with it, secret included. */
export async function createClient(
  instance: AuthInstance,
  token: string,
  client: { id: string; grantTypes: string[]; scopes: string[]; firstParty?: boolean },
): Promise<OAuthClient> {
  const answer = await adminRequest(instance, token, '/clients', { method: 'POST', body: client });
  if (answer.status !== 201) {
    throw new Error(`client not created (${answer.status}): ${JSON.stringify(answer.body)}`);
  }
  return oauthClient(client.id, (answer.body as { clientSecret: string }).clientSecret);
}

/** A bounded GET of a resource server, with the bearer token when one is given. */
export async function callResource(
  server: ResourceInstance,
  token: string | undefined,
  path = '/me',
): Promise<Answer> {
  const startedAt = Date.now();
  const response = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return toAnswer(response, startedAt);
}
