// @ts-check
// The load generator, a separate process (pinned to its own core by load-client.mjs). Reads one JSON run
// spec per line on stdin, answers one JSON line per run on stdout: `{ id, result }` or `{ id, error }`.
// A spec runs its parts together: `load` (autocannon), `chains` (refresh-token chains) and `probes`
// (sequential latency probes, which stop when the other parts end).
import { runAutocannon } from './autocannon-run.mjs';
import { runProbe } from './probes.mjs';
import { runRefreshChains } from './refresh-chains.mjs';

/**
 * @param {{ load?: Record<string, unknown>, chains?: Parameters<typeof runRefreshChains>[0],
 *   probes?: import('./probes.mjs').Probe[] }} spec
 */
export async function runSpec(spec) {
  const stopProbes = new AbortController();
  const probes = Promise.all((spec.probes ?? []).map((probe) => runProbe(probe, stopProbes.signal)));
  try {
    const [load, chains] = await Promise.all([
      spec.load && runAutocannon(spec.load),
      spec.chains && runRefreshChains(spec.chains),
    ]);
    stopProbes.abort();
    return { load, chains, probes: await probes };
  } finally {
    stopProbes.abort();
  }
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines.filter(Boolean)) {
    const { id, spec } = JSON.parse(line);
    runSpec(spec).then(
      (result) => process.stdout.write(`${JSON.stringify({ id, result })}\n`),
      (error) => process.stdout.write(`${JSON.stringify({ id, error: String(error?.stack ?? error) })}\n`),
    );
  }
});
process.stdin.on('end', () => process.exit(0));
