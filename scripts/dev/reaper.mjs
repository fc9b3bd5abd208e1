// @ts-check
// Watchdog started by process-guard.mjs, reading "+ <pid> <signal>" / "- <pid>" lines on stdin. When stdin
// closes (the launcher ended, however it died) it signals the pids still listed, waits up to 10 s, SIGKILLs
// survivors and exits. It ignores terminal signals so a Ctrl-C reaching the whole group cannot skip that.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** @type {Map<number, NodeJS.Signals>} */
const pids = new Map();
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => {});

/** Whether `pid` still runs (an exited child of init that is not yet reaped counts as gone). @param {number} pid */
const alive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): signal 0 is all there is
  }
};

/** @param {number} pid @param {NodeJS.Signals} signal */
const send = (pid, signal) => {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
};

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const [op, pid, signal] = line.split(' ');
    if (op === '+') pids.set(Number(pid), /** @type {NodeJS.Signals} */ (signal));
    if (op === '-') pids.delete(Number(pid));
  }
});

let reaping = false;
async function reap() {
  if (reaping) return;
  reaping = true;
  for (const [pid, signal] of pids) send(pid, signal);
  for (let waited = 0; waited < 10_000 && [...pids.keys()].some(alive); waited += 100) await sleep(100);
  for (const pid of pids.keys()) if (alive(pid)) send(pid, 'SIGKILL');
  process.exit(0);
}
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
