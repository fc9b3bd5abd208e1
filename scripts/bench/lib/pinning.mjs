// @ts-check
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The CPU the measured server runs on; the load generator gets LOAD_CPU. */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;

/**
 * @typedef {{ pinned: boolean, note: string }} Pinning
 * Whether servers and load can be kept on separate cores with `taskset` (2 or more CPUs and the binary).
 * @returns {Pinning}
 */
export function detectPinning() {
  const cpus = availableParallelism();
  if (cpus < 2) return { pinned: false, note: `unpinned (${cpus} CPU)` };
  const probe = spawnSync('taskset', ['-c', String(SERVER_CPU), 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return { pinned: false, note: 'unpinned (no usable taskset)' };
  return { pinned: true, note: `server on CPU ${SERVER_CPU}, load on CPU ${LOAD_CPU} (taskset)` };
}

/**
 * The command line that runs `argv` on `cpu` when pinning works (taskset execs it: same pid), else as is.
 * @param {Pinning} pinning @param {number | undefined} cpu @param {string[]} argv
 * @returns {[string, string[]]}
 */
export function pinnedCommand(pinning, cpu, argv) {
  const [command = '', ...args] = argv;
  if (!pinning.pinned || cpu === undefined) return [command, args];
  return ['taskset', ['-c', String(cpu), command, ...args]];
}
