// @ts-check
// Run by password-hash-priority.test.ts as its own process (renicing threads must not touch the test
// runner's): lowers the thread pool's priority as main.ts does, then keeps two argon2 verifies busy and
// prints, as one JSON line, what it lowered, every thread's nice value and the threads argon2 ran on.
//   node thread-pool-probe.mjs <poolSize to claim>
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {typeof import('argon2')} */
const argon2 = require('argon2');
const { lowerThreadPoolPriority } = await import(
  new URL('../../dist/runtime/lower-thread-pool-priority.js', import.meta.url).href
);

const threads = () => readdirSync('/proc/self/task').map(Number);
/** Field 19 of /proc/<pid>/task/<tid>/stat; the command name (field 2) may hold spaces, so split after it. */
const niceOf = (/** @type {number} */ tid) =>
  Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
const cpuNs = (/** @type {number} */ tid) =>
  Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);

/** @type {string[]} */
const unavailable = [];
const result = await lowerThreadPoolPriority({
  poolSize: Number(process.argv[2]),
  onUnavailable: (/** @type {string} */ reason) => unavailable.push(reason),
});

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const hash = await argon2.hash('probe', options);
const before = new Map(threads().map((tid) => [tid, cpuNs(tid)]));
await Promise.all([1, 2, 3, 4].map(() => argon2.verify(hash, 'probe')));
// A verify is tens of ms of CPU; 5 ms separates the threads that ran one from the idle ones.
const argon2Threads = threads().filter((tid) => cpuNs(tid) - (before.get(tid) ?? 0) > 5_000_000);

process.stdout.write(
  `${JSON.stringify({
    ...result,
    unavailable,
    mainThread: process.pid,
    nice: Object.fromEntries(threads().map((tid) => [tid, niceOf(tid)])),
    argon2Threads,
  })}\n`,
);
