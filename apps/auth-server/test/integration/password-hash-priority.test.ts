import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const probe = fileURLToPath(new URL('../support/thread-pool-probe.mjs', import.meta.url));

interface ProbeReport {
  threadIds: number[];
  niceness?: number;
  unavailable: string[];
  mainThread: number;
  /** Thread id -> nice value, every thread of the probe process. */
  nice: Record<string, number>;
  /** The threads that ran argon2 verifies after the lowering. */
  argon2Threads: number[];
}

/** Runs the probe in its own process: renicing threads here would slow the test runner's own pool. */
async function runProbe(claimedPoolSize: number, env: Record<string, string> = {}): Promise<ProbeReport> {
  const child = spawn(process.execPath, [probe, String(claimedPoolSize)], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`probe exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as ProbeReport;
}

const others = (report: ProbeReport) =>
  Object.keys(report.nice)
    .map(Number)
    .filter((tid) => !report.threadIds.includes(tid));

describe.each(process.platform === 'linux' ? [4, 6] : [])(
  'lowerThreadPoolPriority with a pool of %i threads (Linux)',
  (poolSize) => {
    it('finds exactly the pool threads, puts them at nice 19 and leaves every other thread alone', async () => {
      const report = await runProbe(poolSize, { UV_THREADPOOL_SIZE: String(poolSize) });
      expect(report.unavailable).toEqual([]);
      expect(report.niceness).toBe(19);
      expect(new Set(report.threadIds).size).toBe(poolSize);
      expect(report.threadIds).not.toContain(report.mainThread);
      for (const tid of report.threadIds) expect(report.nice[tid]).toBe(19);
      expect(report.nice[report.mainThread]).toBe(0);
      for (const tid of others(report)) expect(report.nice[tid]).toBe(0);
      // What the lowering is for: argon2 runs on those threads and nowhere else.
      expect(report.argon2Threads.length).toBeGreaterThan(0);
      for (const tid of report.argon2Threads) expect(report.threadIds).toContain(tid);
    }, 30_000);
  },
);

describe.each(process.platform === 'linux' ? [[5], [8]] : [])(
  'lowerThreadPoolPriority told of %i threads when libuv runs 4 (Linux)',
  (claimed) => {
    it('changes nothing and says why, once', async () => {
      const report = await runProbe(claimed, { UV_THREADPOOL_SIZE: '4' });
      expect(report.threadIds).toEqual([]);
      expect(report.unavailable).toEqual([
        `could not tell the ${claimed} thread pool threads apart from the others`,
      ]);
      for (const nice of Object.values(report.nice)) expect(nice).toBe(0);
    }, 30_000);
  },
);
