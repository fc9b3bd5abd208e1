import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetricsHandler } from '@portcullis/service-kit';
import { adminRequest } from '../support/admin-tokens.js';
import { postForm } from '../support/oauth-endpoints.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';
import { testResource } from '../support/test-environment.js';

const service = { id: 'inventory-metrics', secret: 'inventory-secret-0123456789abcdef0123456789' };
const web = { id: 'web-metrics', secret: 'web-secret-0123456789abcdef0123456789abcdef' };
const username = 'alice-metrics';
const password = 'alice password for metrics 1234';
const wrongPassword = 'not alice password 98765';

/** Sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/**
 * The auth server's metrics, scraped over a real metrics listener (port 0) after real requests: tokens by
 * grant, refusals by error code, login failures, revocations, 429s by limit, HTTP requests by route, and
 * dependency_up — and no token, secret, username or client id anywhere in what a scraper sees.
 */
describe('auth server metrics', () => {
  let server: TestAuthServer;
  let metricsServer: Server;
  let metricsUrl: string;
  /** Every credential or token this test handled: none may show in a scrape. */
  const secrets: string[] = [
    service.secret,
    web.secret,
    username,
    password,
    wrongPassword,
    service.id,
    web.id,
  ];

  beforeAll(async () => {
    server = await startTestAuthServer({ RATE_LIMIT_TOKEN_PER_CLIENT: '3', RATE_LIMIT_PASSWORD_PER_IP: '2' });
    await server.addClient({ ...service, grantTypes: ['client_credentials'], scopes: ['items:read'] });
    await server.addClient({ ...web, grantTypes: ['password'], scopes: ['items:read'], firstParty: true });
    await server.addUser({ username, password });
    metricsServer = createServer(createMetricsHandler(server.container.metrics));
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
    metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
  }, 30_000);
  afterAll(async () => {
    metricsServer?.closeAllConnections();
    await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
    await server?.close();
  });

  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  const clientCredentials = (secret = service.secret) =>
    server.token(
      { grant_type: 'client_credentials', scope: 'items:read', resource: testResource },
      { id: service.id, secret },
    );

  it('counts issued tokens, refused grants, revocations and the per-client 429', async () => {
    const issued = await clientCredentials();
    expect(issued.status).toBe(200);
    const accessToken = issued.body.access_token as string;
    secrets.push(accessToken);
    expect((await clientCredentials('wrong-secret-0123456789abcdef0123456789')).status).toBe(401);
    expect((await postForm(server, '/token/revocation', { token: accessToken }, service)).status).toBe(200);
    expect((await clientCredentials()).status).toBe(200); // third request charged to the client
    const limited = await clientCredentials();
    expect(limited.status).toBe(429);

    const text = await scrape();
    expect(total(text, 'portcullis_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(2);
    expect(total(text, 'portcullis_token_requests_refused_total', { error: 'invalid_client' })).toBe(1);
    expect(total(text, 'portcullis_revocations_total')).toBe(1);
    expect(total(text, 'portcullis_rate_limit_rejections_total', { limit: 'token-client' })).toBe(1);
    expect(
      total(text, 'portcullis_http_requests_total', { method: 'POST', route: 'token', status: '200' }),
    ).toBe(2);
    expect(
      total(text, 'portcullis_http_requests_total', { method: 'POST', route: 'token', status: '401' }),
    ).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: 'revocation', status: '200' })).toBe(1);
    // Refused ahead of oidc-provider's router, which is what names a route.
    expect(total(text, 'portcullis_http_requests_total', { method: 'POST', status: '429' })).toBe(1);
  });

  it('counts login failures by reason and the per-address password limit', async () => {
    const login = (user: string, secret: string) =>
      server.token({ grant_type: 'password', username: user, password: secret, scope: 'items:read' }, web);
    expect((await login(username, wrongPassword)).status).toBe(400);
    expect((await login('nobody-metrics', wrongPassword)).status).toBe(400);
    expect((await login(username, password)).status).toBe(429); // third attempt from this address in a minute

    const text = await scrape();
    expect(total(text, 'portcullis_login_failures_total', { reason: 'wrong_password' })).toBe(1);
    expect(total(text, 'portcullis_login_failures_total', { reason: 'unknown_user' })).toBe(1);
    expect(total(text, 'portcullis_login_failures_total', { reason: 'ip_rate' })).toBe(1);
    expect(total(text, 'portcullis_rate_limit_rejections_total', { limit: 'password-ip' })).toBe(1);
    expect(total(text, 'portcullis_token_requests_refused_total', { error: 'invalid_grant' })).toBe(2);
    expect(text).not.toContain('nobody-metrics');
  });

  it('counts admin API requests by route template, and reports its dependencies', async () => {
    expect((await adminRequest(server, '/users', undefined)).status).toBe(401);
    expect((await adminRequest(server, '/users/some-user-id-metrics', undefined)).status).toBe(401);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/jwks`)).status).toBe(200);
    expect((await fetch(`${server.url}/no/such/path-metrics`)).status).toBe(404);

    const text = await scrape();
    expect(
      total(text, 'portcullis_http_requests_total', { method: 'GET', route: '/users', status: '401' }),
    ).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: '/users/:id', status: '401' })).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: '/healthz' })).toBeGreaterThanOrEqual(1);
    expect(total(text, 'portcullis_http_requests_total', { route: 'jwks', status: '200' })).toBe(1);
    expect(total(text, 'portcullis_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('path-metrics');
    expect(total(text, 'portcullis_dependency_up', { dependency: 'postgres', service: 'auth-server' })).toBe(
      1,
    );
    expect(total(text, 'portcullis_dependency_up', { dependency: 'jwks' })).toBe(1);
    expect(total(text, 'process_cpu_user_seconds_total', { service: 'auth-server' })).toBeGreaterThan(0);
  });

  it('shows no token, secret, username or client id', async () => {
    const text = await scrape();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // no JWT at all
  });
});
