// @ts-check
import { formatTable } from './format-table.mjs';

/**
 * One line per subject: req/s median [min-max] of the repetitions, its ratios to the baselines of the same
 * run, medians of p50/p99, the server's CPU (100 % = one core) and peak RSS, and every error ("!" marks
 * any: no scenario expects a non-2xx answer).
 * @param {Record<string, import('./scenario.mjs').ScenarioResult>} results
 */
export function resultsTable(results) {
  const rows = Object.entries(results).flatMap(([scenario, result]) =>
    result.rows.map((row) => {
      const m = row.measurement;
      const latency = m ?? row.latency;
      const errors = m ? m.non2xx + m.errors : (row.latency?.failures ?? 0);
      return {
        scenario,
        subject: row.unit ? `${row.subject} [${row.unit}]` : row.subject,
        'req/s median [min-max]': m
          ? `${fixed(m.rps, 0)} [${fixed(m.rpsMin, 0)}-${fixed(m.rpsMax, 0)}]`
          : undefined,
        ratio: row.ratios
          ?.filter((r) => r.value !== undefined)
          .map((r) => `${fixed(r.value, 2)} of ${r.of}`)
          .join(', '),
        'p50/p99 ms':
          latency?.p50 === undefined ? undefined : `${fixed(latency.p50, 1)} / ${fixed(latency.p99, 1)}`,
        'CPU %': m?.cpuPercent === undefined ? undefined : fixed(m.cpuPercent, 0),
        'RSS MB': m?.rssMb === undefined ? undefined : fixed(m.rssMb, 0),
        errors: errors > 0 ? `${errors} !` : '0',
      };
    }),
  );
  return formatTable(rows);
}

/** @param {number | undefined} value @param {number} digits */
export function fixed(value, digits) {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}
