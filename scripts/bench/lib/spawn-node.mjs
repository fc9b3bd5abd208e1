// @ts-check
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { guardPid } from '../../dev/process-guard.mjs';
import { pinnedCommand } from './pinning.mjs';

/** How long a process gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;
let spawned = 0;

/**
 * @typedef {{ name: string, pid: number, child: import('node:child_process').ChildProcess,
 *   stop: () => Promise<void>, logTail: (lines?: number) => string }} NodeProcess
 */

/**
 * Starts `node <script>` (on `cpu` when pinning works), stdout and stderr written to files in `logDir`;
 * with `pipeStdout` stdout is also readable from `child.stdout`. The process is stopped by `cleanups` and
 * by process-guard's watchdog if this process dies first.
 * @param {{ name: string, script: string, args?: string[], env: NodeJS.ProcessEnv, cpu?: number,
 *   pinning: import('./pinning.mjs').Pinning, logDir: string, pipeStdout?: boolean,
 *   cleanups: { push: (stop: () => Promise<void>) => void } }} options
 * @returns {NodeProcess}
 */
export function spawnNode({ name, script, args = [], env, cpu, pinning, logDir, pipeStdout, cleanups }) {
  spawned += 1;
  const base = join(logDir, `${String(spawned).padStart(2, '0')}-${name}`);
  const files = [`${base}.out.log`, `${base}.err.log`];
  const [out, err] = files.map((file) => openSync(file, 'a'));
  const [command, commandArgs] = pinnedCommand(pinning, cpu, [process.execPath, script, ...args]);
  const child = spawn(command, commandArgs, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', pipeStdout ? 'pipe' : out, err],
  });
  closeSync(Number(err));
  let outOpen = true;
  if (pipeStdout) child.stdout?.on('data', (chunk) => outOpen && writeSync(Number(out), chunk));
  else closeSync(Number(out));
  child.on('error', () => {});
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} could not be started (${command})`);
  const unguard = guardPid(pid, 'SIGTERM');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      unguard();
      if (pipeStdout && outOpen) {
        outOpen = false;
        closeSync(Number(out));
      }
    })());
  cleanups.push(stop);
  return { name, pid, child, stop, logTail: (lines = 20) => tail(files, lines) };
}

/** The last `lines` lines of each file that has any. @param {string[]} files @param {number} lines */
function tail(files, lines) {
  return files
    .filter((file) => existsSync(file))
    .map((file) => ({ file, text: readFileSync(file, 'utf8').trimEnd() }))
    .filter(({ text }) => text.length > 0)
    .map(({ file, text }) => `--- ${file}\n${text.split('\n').slice(-lines).join('\n')}`)
    .join('\n');
}

/**
 * Rejects with the process's log tail when it exits before `ready` settles, or when `ready` rejects.
 * @template T @param {NodeProcess} proc @param {Promise<T>} ready @returns {Promise<T>}
 */
export async function readyOrLogTail(proc, ready) {
  let onExit = () => {};
  /** @type {Promise<never>} */
  const died = new Promise((_, reject) => {
    onExit = () =>
      reject(new Error(`${proc.name} exited with ${proc.child.exitCode ?? proc.child.signalCode}`));
    proc.child.once('exit', onExit);
  });
  try {
    return await Promise.race([ready, died]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${proc.name} did not start: ${message}\n${proc.logTail()}`);
  } finally {
    proc.child.off('exit', onExit);
  }
}
