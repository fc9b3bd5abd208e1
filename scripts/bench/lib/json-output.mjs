// @ts-check
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The default: bench/results/bench-<ISO time>.json (gitignored). @param {Date} startedAt */
export function defaultJsonFile(startedAt) {
  return join(root, 'bench', 'results', `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
}

/**
 * Writes the whole run: the machine, the profile, every scenario's rows (each repetition's raw figures
 * included), notes and targets.
 * @param {string} file @param {Record<string, unknown>} report
 */
export function writeJsonReport(file, report) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
