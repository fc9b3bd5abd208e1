import { pbkdf2 } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface ThreadPoolPriorityOptions {
  /** Threads in libuv's pool: UV_THREADPOOL_SIZE as libuv read it at start (config.threadPoolSize). */
  poolSize: number;
  /** Nice steps below the main thread, capped at 19 (the lowest priority). Default 19: see below. */
  niceOffset?: number;
  /** Default process.platform; tests inject another. */
  platform?: NodeJS.Platform;
  /** Called at most once, with why nothing was changed; the server runs on as before. */
  onUnavailable: (reason: string) => void;
}

export interface ThreadPoolPriority {
  /** Thread ids of the pool, now at `niceness`; empty when nothing was changed. */
  threadIds: number[];
  niceness?: number;
}

/**
 * Measured on one core (taskset), a busy event loop next to 2 argon2 verifies in flight: the loop's share
 * of the process's CPU was 0.33 at equal priority, 0.80 with the pool at nice 10, 0.94 at nice 19 (0.98
 * with no argon2 at all; CFS weights 1024, 110 and 15). Hashing loses nothing while the loop is idle (the
 * pool then has the core), and a saturated loop means the instance is full anyway: token issuance comes
 * first (issue 7). A child process at nice 19 doing the hashing measured the same (0.93) for one more
 * process, IPC and crash handling, so the pool it is.
 */
const DEFAULT_NICE_OFFSET = 19;
const LOWEST_PRIORITY = 19;
/** Each attempt's jobs take twice as long as the last: a busy machine may wake a thread late. */
const ATTEMPTS = 4;
/** ~5 ms of SHA-256 on the machines we measured: long enough that each job lands on its own thread. */
const PROBE_ITERATIONS = 20_000;

/**
 * Puts libuv's thread pool — where argon2 hashes (and fs, dns.lookup and WebCrypto run) — below the event
 * loop in the kernel's scheduler, so that a password flood cannot take the CPU that client_credentials,
 * refresh and /jwks need (issue 7: with 2 argon2 verifies on one core at equal priority, the event loop got
 * about a third of it). Everything else on the pool runs at low priority too; that is acceptable because
 * token signing does not use the pool (node:crypto signer), and fs/dns are rare here.
 *
 * Linux only: nice is per thread there and `os.setPriority` takes a thread id. libuv 1.46 does not name its
 * threads, and on Node 20 the ESM loader has already started the pool before main.ts runs, so the pool
 * cannot be told apart by listing threads before and after its start. Instead each pool thread is made to
 * run one short pbkdf2 job, and the threads whose CPU time (/proc/self/task/<tid>/schedstat) grew by that
 * much are the pool. Exactly `poolSize` such threads, or nothing is changed (retried, then
 * `onUnavailable`). Threads created later inherit the creating thread's nice value, so the main thread and
 * any worker keep theirs. Call it first thing in main.ts, while nothing else uses the pool. Rejects only
 * for invalid options; whatever the platform lacks ends in `onUnavailable`.
 *
 * @example
 * if (config.passwordHashing.lowPriority) {
 *   await lowerThreadPoolPriority({
 *     poolSize: config.threadPoolSize,
 *     onUnavailable: (reason) => logger.warn({ reason }, 'thread pool priority unchanged'),
 *   });
 * }
 */
export async function lowerThreadPoolPriority(
  options: ThreadPoolPriorityOptions,
): Promise<ThreadPoolPriority> {
  const { poolSize, onUnavailable } = options;
  const niceOffset = options.niceOffset ?? DEFAULT_NICE_OFFSET;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new TypeError('poolSize must be a positive integer');
  if (!Number.isInteger(niceOffset) || niceOffset < 1 || niceOffset > LOWEST_PRIORITY) {
    throw new TypeError(`niceOffset must be a whole number from 1 to ${LOWEST_PRIORITY}`);
  }
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    onUnavailable(`per-thread priorities are only supported on Linux, not ${platform}`);
    return { threadIds: [] };
  }
  try {
    const threadIds = await findPoolThreads(poolSize);
    if (!threadIds) {
      onUnavailable(`could not tell the ${poolSize} thread pool threads apart from the others`);
      return { threadIds: [] };
    }
    const niceness = Math.min(LOWEST_PRIORITY, getPriority(process.pid) + niceOffset);
    for (const threadId of threadIds) {
      if (getPriority(threadId) < niceness) setPriority(threadId, niceness);
    }
    return { threadIds, niceness };
  } catch (error) {
    onUnavailable(`thread priorities could not be read or set: ${String(error)}`);
    return { threadIds: [] };
  }
}

async function findPoolThreads(poolSize: number): Promise<number[] | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const threadIds = readdirSync('/proc/self/task')
      .map(Number)
      .filter((threadId) => threadId !== process.pid);
    const before = threadIds.map(cpuTimeNs);
    await Promise.all(Array.from({ length: poolSize }, () => probeJob(PROBE_ITERATIONS * 2 ** attempt)));
    const grown = threadIds
      .map((threadId, index) => ({ threadId, ns: cpuTimeNs(threadId) - (before[index] ?? Number.NaN) }))
      .filter(({ ns }) => Number.isFinite(ns))
      .sort((a, b) => b.ns - a.ns);
    const pool = grown.slice(0, poolSize);
    const slowestJob = pool.at(-1)?.ns ?? 0;
    const busiestOther = grown[poolSize]?.ns ?? 0;
    // Each pool thread ran one job; nothing else came close (V8's helpers may wake up meanwhile: retry).
    if (pool.length === poolSize && slowestJob >= 1_000_000 && busiestOther < slowestJob / 4) {
      return pool.map(({ threadId }) => threadId);
    }
  }
  return undefined;
}

/** Time on CPU in ns; NaN once the thread has exited. Throws when the kernel keeps no schedstat. */
function cpuTimeNs(threadId: number): number {
  try {
    return Number(readFileSync(`/proc/self/task/${threadId}/schedstat`, 'utf8').split(' ')[0]);
  } catch (error) {
    if (!existsSync(`/proc/self/task/${threadId}`)) return Number.NaN;
    throw error;
  }
}

function probeJob(iterations: number): Promise<void> {
  return new Promise((resolve, reject) => {
    pbkdf2('probe', 'thread-pool', iterations, 32, 'sha256', (error) => (error ? reject(error) : resolve()));
  });
}
