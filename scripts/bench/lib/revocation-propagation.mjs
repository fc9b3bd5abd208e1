// @ts-check
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv, resourceServerEnv } from './app-env.mjs';
import { mintAccessTokens } from './oauth-client.mjs';
import { startApp } from './start-app.mjs';
import { latencySummary, round } from './stats.mjs';

/** A poll never waits longer than this for one answer; a revocation never longer than this to show. */
const POLL_DEADLINE_MS = 10_000;
/** No single request may hang the benchmark. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * @typedef {{ settings: import('./app-env.mjs').AppSettings, pinning: import('./pinning.mjs').Pinning,
 *   workDir: string, cleanups: { push: (stop: () => Promise<void>) => void },
 *   credentials: import('./demo-credentials.mjs').DemoCredentials }} RevocationBench
 */

/**
 * How long a revoked access token keeps working. Two auth servers and two resource servers run as real
 * processes on loopback, sharing PostgreSQL and Redis; for each of `count` tokens, both resource servers
 * are polled while an admin revokes the token through one of the auth servers (alternating), and the time
 * until each resource server first answers 401 is recorded. The servers are stopped at the end.
 * @param {{ bench: RevocationBench, count: number, log: (line: string) => void }} options
 */
export async function measureRevocationPropagation({ bench, count, log }) {
  /** @type {{ stop: () => Promise<void> }[]} */
  const servers = [];
  try {
    const authServers = [];
    for (let index = 0; index < 2; index += 1) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const env = { ...authServerEnv(bench.settings, port), ADMIN_PORT: String(adminPort) };
      servers.push(
        await startApp({ app: 'auth-server', name: `revocation-auth-${index + 1}`, env, port, bench }),
      );
      authServers.push({ url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}` });
    }
    const jwksUri = `${authServers[0]?.url}/jwks`;
    const resourceServers = [];
    for (let index = 0; index < 2; index += 1) {
      const port = await freePort();
      const env = resourceServerEnv(bench.settings, port, jwksUri);
      const name = `revocation-resource-${index + 1}`;
      const server = await startApp({ app: 'resource-server', name, env, port, bench });
      servers.push(server);
      resourceServers.push(server.url);
    }
    const issuer = /** @type {{ url: string }} */ (authServers[0]).url;
    const [adminToken] = await mintAccessTokens(issuer, bench.credentials.client('demo-admin'), 'admin', 1);
    const service = bench.credentials.client('demo-service');

    /** @type {{ afterAck: number[], afterSend: number[] }[]} per resource server */
    const samples = resourceServers.map(() => ({ afterAck: [], afterSend: [] }));
    /** @type {number[]} */
    const bothAfterAck = [];
    for (let round = 0; round < count; round += 1) {
      const [token = ''] = await mintAccessTokens(issuer, service, 'items:read', 1, 1);
      for (const url of resourceServers) {
        const status = await statusOf(url, token);
        if (status !== 200) throw new Error(`a fresh token got ${status} from ${url}`);
      }
      const refused = resourceServers.map((url) => pollUntilRefused(url, token));
      const { admin } = /** @type {{ admin: string }} */ (authServers[round % authServers.length]);
      const sentAt = performance.now();
      const answer = await fetch(`${admin}/revocations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'token', value: token, reason: 'benchmark' }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const ackAt = performance.now();
      if (answer.status !== 201)
        throw new Error(`revocation answered ${answer.status}: ${await answer.text()}`);
      const refusedAt = await Promise.all(refused);
      refusedAt.forEach((at, index) => {
        const sample = /** @type {{ afterAck: number[], afterSend: number[] }} */ (samples[index]);
        sample.afterAck.push(Math.max(0, at - ackAt));
        sample.afterSend.push(at - sentAt);
      });
      bothAfterAck.push(Math.max(0, Math.max(...refusedAt) - ackAt));
      if ((round + 1) % 50 === 0) log(`    ${round + 1}/${count} revoked`);
    }
    return [
      ...samples.flatMap((sample, index) => [
        summarize(`resource server ${index + 1}, after the 201`, sample.afterAck),
        summarize(`resource server ${index + 1}, from the request`, sample.afterSend),
      ]),
      summarize('both refuse, after the 201', bothAfterAck),
    ];
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** @param {string} label @param {number[]} values */
function summarize(label, values) {
  const { p50, p99, max } = latencySummary(values);
  return { measure: label, p50: round(p50) ?? 0, p99: round(p99) ?? 0, max: round(max) ?? 0 };
}

/** @param {string} url @param {string} token */
async function statusOf(url, token) {
  const answer = await fetch(`${url}/me`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** Polls back to back until the resource server answers 401; resolves with when it did. */
async function pollUntilRefused(/** @type {string} */ url, /** @type {string} */ token) {
  const deadline = performance.now() + POLL_DEADLINE_MS;
  while (performance.now() < deadline) {
    const status = await statusOf(url, token);
    if (status === 401) return performance.now();
    if (status !== 200) throw new Error(`${url} answered ${status} while polling`);
  }
  throw new Error(`${url} still accepted a revoked token after ${POLL_DEADLINE_MS} ms`);
}
