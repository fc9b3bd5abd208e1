// @ts-check
// Baseline for `npm run bench` (not a server): how many argon2id verifies per second this process can do with
// the auth server's parameters and concurrency cap, no HTTP — the ceiling for the password grant. Run it under
// the auth server's UV_THREADPOOL_SIZE and CPU pinning (argon2 runs on the libuv pool).
//
//   [ARGON2_MEMORY_KIB=19456] [ARGON2_TIME_COST=2] [ARGON2_PARALLELISM=1] [CONCURRENCY=2] \
//   [DURATION_SECONDS=5] [WARMUP_SECONDS=1] node scripts/bench/servers/argon2-ceiling.mjs
//
// Prints one JSON line: {"verifiesPerSecond","count","seconds","concurrency","memoryKib","timeCost"}.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { envNumber, fail } from './common.mjs';

async function main() {
  const memoryKib = envNumber('ARGON2_MEMORY_KIB', { fallback: 19_456 });
  const timeCost = envNumber('ARGON2_TIME_COST', { fallback: 2 });
  const parallelism = envNumber('ARGON2_PARALLELISM', { fallback: 1 });
  const concurrency = envNumber('CONCURRENCY', { fallback: 2 });
  const durationSeconds = envNumber('DURATION_SECONDS', { fallback: 5, integer: false, min: 0.1 });
  const warmupSeconds = envNumber('WARMUP_SECONDS', { fallback: 1, integer: false, min: 0 });

  const password = randomBytes(12).toString('base64url');
  const hash = await argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: memoryKib,
    timeCost,
    parallelism,
  });

  const measureFrom = performance.now() + warmupSeconds * 1000;
  const measureUntil = measureFrom + durationSeconds * 1000;
  let count = 0;

  // Each worker keeps one verify in flight; only verifies that finish inside the window are counted, so the
  // rate is over exactly DURATION_SECONDS of steady state.
  async function worker() {
    while (performance.now() < measureUntil) {
      if (!(await argon2.verify(hash, password)))
        throw new Error('argon2.verify rejected the right password');
      const finishedAt = performance.now();
      if (finishedAt >= measureFrom && finishedAt < measureUntil) count += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));

  const result = {
    verifiesPerSecond: Math.round((count / durationSeconds) * 100) / 100,
    count,
    seconds: durationSeconds,
    concurrency,
    memoryKib,
    timeCost,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch(fail);
