// @ts-check
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv } from './app-env.mjs';
import { startLoadWorker } from './load-client.mjs';
import { measureHttp } from './measure-http.mjs';
import { clientAuthorization } from './oauth-client.mjs';
import { SERVER_CPU } from './pinning.mjs';
import { startApp } from './start-app.mjs';
import { startBaseline } from './start-baseline.mjs';
import { ratio, withServer } from './with-server.mjs';

/**
 * The client_credentials request every subject of scenario 2 answers: HTTP Basic with the seeded
 * demo-service client, one of its scopes. Also used by the password scenario's cc-under-flood figure.
 * @param {import('./scenario.mjs').ScenarioBench} bench
 */
export function clientCredentialsLoad(bench) {
  const service = bench.credentials.client('demo-service');
  return {
    method: /** @type {const} */ ('POST'),
    path: '/token',
    connections: bench.profile.connections,
    headers: {
      authorization: clientAuthorization(service),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=items%3Aread',
  };
}

/**
 * Scenario 2: client_credentials issuance by our auth server vs bare Koa POST (the ceiling), a Koa
 * endpoint that only signs the same JWT with jose (the signing limit), a bare oidc-provider, and
 * @node-oauth/oauth2-server issuing the same JWT.
 * @param {import('./scenario.mjs').ScenarioBench} bench @returns {Promise<import('./scenario.mjs').ScenarioResult>}
 */
export async function runIssueScenario(bench) {
  const { settings } = bench;
  const worker = startLoadWorker(bench);
  const load = clientCredentialsLoad(bench);
  const service = bench.credentials.client('demo-service');
  const baselineEnv = {
    CLIENT_ID: service.clientId,
    CLIENT_SECRET: service.clientSecret,
    ISSUER: settings.issuer,
    AUDIENCE: settings.resource,
    SCOPE: service.scopes.join(' '),
  };
  /** @param {string} name @param {string} label */
  const baseline = async (name, label) =>
    withServer(
      startBaseline({ name, env: baselineEnv, port: await freePort(), cpu: SERVER_CPU, bench }),
      (server) => measureHttp({ bench, worker, server, label, load }),
    );
  try {
    const bare = await baseline('bare-koa', 'bare Koa POST /token');
    const jose = await baseline('jose-sign-koa', 'Koa + jose ES256 sign');
    const oidc = await baseline('bare-oidc-provider', 'bare oidc-provider');
    const nodeOauth = await baseline('node-oauth-server', '@node-oauth/oauth2-server');
    const port = await freePort();
    const ours = await withServer(
      startApp({ app: 'auth-server', env: authServerEnv(settings, port), port, cpu: SERVER_CPU, bench }),
      (server) => measureHttp({ bench, worker, server, label: 'auth server client_credentials', load }),
    );
    const vsBare = (/** @type {number} */ rps) => ({ value: ratio(rps, bare.rps), of: 'bare Koa POST' });
    return {
      rows: [
        { subject: 'bare Koa POST /token (baseline)', measurement: bare },
        { subject: 'Koa + jose ES256 sign (signing limit)', measurement: jose, ratios: [vsBare(jose.rps)] },
        { subject: 'bare oidc-provider', measurement: oidc, ratios: [vsBare(oidc.rps)] },
        { subject: '@node-oauth/oauth2-server', measurement: nodeOauth, ratios: [vsBare(nodeOauth.rps)] },
        {
          subject: 'ours, client_credentials',
          measurement: ours,
          ratios: [vsBare(ours.rps), { value: ratio(ours.rps, nodeOauth.rps), of: '@node-oauth' }],
          process: 'auth-server',
        },
      ],
      figures: {
        ccRps: ours.rps,
        ccVsNodeOauth: ratio(ours.rps, nodeOauth.rps),
        ccVsBarePost: ratio(ours.rps, bare.rps),
      },
      notes: [],
    };
  } finally {
    await worker.stop();
  }
}
