// @ts-check
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpClient, rotateRefreshToken } from './http-client.mjs';
import { latencySummary, round } from './stats.mjs';

/**
 * @typedef {{ name: string, url: string, intervalMs: number } & ({ kind: 'get', path: string }
 *   | { kind: 'refresh', authorization: string, token: string })} Probe
 */

/**
 * Sequential requests at a modest rate (one at a time, `intervalMs` apart) until `signal` aborts: how long
 * one request waits while something else loads the server. A refresh probe rotates its own token chain.
 * @param {Probe} probe @param {AbortSignal} signal
 */
export async function runProbe(probe, signal) {
  const client = createHttpClient(probe.url, 1);
  /** @type {number[]} */
  const latencies = [];
  let failures = 0;
  /** @type {string | undefined} */
  let firstFailure;
  let token = probe.kind === 'refresh' ? probe.token : undefined;
  while (!signal.aborted) {
    const sent = performance.now();
    /** @type {string | undefined} */
    let failure;
    if (probe.kind === 'get') {
      const answer = await client
        .send({ path: probe.path })
        .catch((error) => ({ status: 0, body: String(error) }));
      if (answer.status !== 200) failure = `${answer.status} ${answer.body.slice(0, 200)}`;
    } else if (token !== undefined) {
      const answer = await rotateRefreshToken(client, probe.authorization, token);
      if (answer.ok) token = answer.token;
      else [failure, token] = [answer.reason, undefined];
    } else break;
    latencies.push(performance.now() - sent);
    if (failure !== undefined) {
      failures += 1;
      firstFailure ??= failure;
    }
    await sleep(probe.intervalMs, undefined, { signal }).catch(() => {});
  }
  client.close();
  return {
    name: probe.name,
    ...latencySummary(latencies),
    samples: latencies.map((ms) => round(ms)),
    failures,
    firstFailure,
    token,
  };
}
