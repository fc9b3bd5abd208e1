// @ts-check
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const reaperPath = fileURLToPath(new URL('./reaper.mjs', import.meta.url));

/** @type {Map<number, NodeJS.Signals>} */
const guarded = new Map();
/** @type {import('node:child_process').ChildProcess | undefined} */
let reaper;

function signalAll() {
  for (const [pid, signal] of guarded) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Keeps `pid` from outliving this process: it gets `signal` when this process exits normally, and from a
 * watchdog child (reaper.mjs) when this process dies without running exit handlers (SIGKILL, a crash, an
 * unhandled signal). Call the returned function once the process has been stopped.
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 * @returns {() => void}
 */
export function guardPid(pid, signal) {
  if (!reaper) {
    reaper = spawn(process.execPath, [reaperPath], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: false,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    reaper.on('error', () => {});
    reaper.stdin?.on('error', () => {});
    reaper.unref();
    process.on('exit', signalAll);
  }
  guarded.set(pid, signal);
  reaper.stdin?.write(`+ ${pid} ${signal}\n`);
  return () => {
    if (!guarded.delete(pid)) return;
    reaper?.stdin?.write(`- ${pid}\n`);
    if (guarded.size > 0) return;
    reaper?.stdin?.end();
    reaper = undefined;
    process.off('exit', signalAll);
  };
}
