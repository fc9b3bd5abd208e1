// @ts-check
import { createHttpClient, rotateRefreshToken } from './http-client.mjs';
import { latencySummary } from './stats.mjs';

/**
 * Refresh-grant load: one chain per connection, each request using the refresh token the previous answer
 * returned (rotation: a spent token is refused, and reusing one revokes the grant), for `durationSeconds`.
 * Answers the figures and the chains' current tokens, so the next run continues them.
 * @param {{ url: string, authorization: string, tokens: string[], durationSeconds: number }} spec
 */
export async function runRefreshChains({ url, authorization, tokens, durationSeconds }) {
  const client = createHttpClient(url, tokens.length);
  /** @type {number[]} */
  const latencies = [];
  /** @type {(string | undefined)[]} */
  const current = [...tokens];
  let failures = 0;
  /** @type {string | undefined} */
  let firstFailure;
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  await Promise.all(
    current.map(async (_, chain) => {
      for (let token = current[chain]; token !== undefined && performance.now() < deadline; ) {
        const sent = performance.now();
        const answer = await rotateRefreshToken(client, authorization, token);
        latencies.push(performance.now() - sent);
        if (answer.ok) token = answer.token;
        else {
          failures += 1;
          firstFailure ??= answer.reason;
          token = undefined;
        }
        current[chain] = token;
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  client.close();
  const { p50, p99 } = latencySummary(latencies);
  return {
    requests: latencies.length,
    durationSeconds: elapsedSeconds,
    rps: latencies.length / elapsedSeconds,
    p50,
    p99,
    non2xx: failures,
    errors: 0,
    firstFailure,
    tokens: current.filter((token) => token !== undefined),
  };
}
