// @ts-check
import { measureRevocationPropagation } from './revocation-propagation.mjs';

/**
 * Scenario 4b: revocation propagation across two resource servers (the measurement of
 * `npm run bench:revocation`), unpinned: it is latency across five processes, not throughput.
 * @param {import('./scenario.mjs').ScenarioBench} bench @returns {Promise<import('./scenario.mjs').ScenarioResult>}
 */
export async function runRevocationScenario(bench) {
  const count = bench.profile.revocationCount;
  bench.log(`  revocation propagation: ${count} tokens, 2 auth servers, 2 resource servers`);
  const rows = await measureRevocationPropagation({ bench, count, log: bench.log });
  const both = rows.at(-1);
  const fromRequest = rows.filter((row) => row.measure.endsWith('from the request'));
  return {
    rows: [
      { subject: `propagation, both refuse after the 201 (${count} tokens)`, latency: { count, ...both } },
      {
        subject: 'propagation, from the revoke request (slower server)',
        latency: {
          count,
          p50: Math.max(...fromRequest.map((row) => row.p50)),
          p99: Math.max(...fromRequest.map((row) => row.p99)),
        },
      },
    ],
    figures: { revocationP99: both?.p99 },
    notes: [],
    raw: { rows },
  };
}
