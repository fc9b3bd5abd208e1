// @ts-check
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { guardPid } from '../../dev/process-guard.mjs';
import { LOAD_CPU, pinnedCommand } from './pinning.mjs';

const workerScript = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));
/** Beyond its own duration, a run may take this long (connections closing, answers in flight). */
const RUN_GRACE_MS = 20_000;

/**
 * Starts a load worker (load-worker.mjs) on the load CPU; `run` sends it one spec and resolves with its
 * result, rejecting (and killing the worker) when it takes longer than `seconds` plus a grace period.
 * @param {{ pinning: import('./pinning.mjs').Pinning, cleanups: { push: (stop: () => Promise<void>) => void } }} bench
 */
export function startLoadWorker(bench) {
  const [command, args] = pinnedCommand(bench.pinning, LOAD_CPU, [process.execPath, workerScript]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the load worker could not be started');
  const unguard = guardPid(pid, 'SIGTERM');
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const pending = new Map();
  let nextId = 0;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const { id, result, error } = JSON.parse(line);
      const waiter = pending.get(id);
      pending.delete(id);
      if (error) waiter?.reject(new Error(`load worker: ${error}`));
      else waiter?.resolve(result);
    }
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`the load worker exited (${code ?? signal})`));
    pending.clear();
  });
  child.stdin.on('error', () => {});
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    unguard();
  };
  bench.cleanups.push(stop);
  return {
    stop,
    /**
     * @param {Parameters<typeof import('./load-worker.mjs')['runSpec']>[0]} spec
     * @param {number} seconds how long the spec is meant to run
     * @returns {Promise<any>}
     */
    run(spec, seconds) {
      nextId += 1;
      const id = nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => {
            reject(new Error(`a load run exceeded ${seconds} s + ${RUN_GRACE_MS / 1000} s; worker stopped`));
            void stop();
          },
          seconds * 1000 + RUN_GRACE_MS,
        );
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.stdin.write(`${JSON.stringify({ id, spec })}\n`);
      });
    },
  };
}
