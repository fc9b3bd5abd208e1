// @ts-check
import { once } from 'node:events';
import { loadConfig } from '../../../apps/auth-server/dist/config.js';
import { threadPoolEnv } from './app-env.mjs';
import { SERVER_CPU } from './pinning.mjs';
import { spawnNode } from './spawn-node.mjs';

/**
 * The argon2 parameters and hash concurrency the auth server runs with under `authEnv`, read through its
 * own config loader so that the ceiling can never drift from the server's defaults.
 * @param {NodeJS.ProcessEnv} authEnv
 */
export function authServerArgon2(authEnv) {
  const config = loadConfig(authEnv);
  return { ...config.argon2, concurrency: config.passwordHashing.concurrency };
}

/**
 * One run of the argon2-ceiling baseline (argon2id verifies, no HTTP) on the server core with the auth
 * server's parameters, concurrency and libuv pool size; answers its verifies per second.
 * @param {import('./scenario.mjs').ScenarioBench} bench @param {ReturnType<typeof authServerArgon2>} argon2
 * @param {{ seconds: number, warmupSeconds: number }} timing
 * @returns {Promise<number>}
 */
export async function runArgon2Ceiling(bench, argon2, { seconds, warmupSeconds }) {
  const proc = spawnNode({
    name: 'argon2-ceiling',
    script: `${bench.serversDir}/argon2-ceiling.mjs`,
    env: {
      ARGON2_MEMORY_KIB: String(argon2.memoryCost),
      ARGON2_TIME_COST: String(argon2.timeCost),
      ARGON2_PARALLELISM: String(argon2.parallelism),
      CONCURRENCY: String(argon2.concurrency),
      DURATION_SECONDS: String(seconds),
      WARMUP_SECONDS: String(warmupSeconds),
      ...threadPoolEnv(),
    },
    cpu: SERVER_CPU,
    pinning: bench.pinning,
    logDir: bench.workDir,
    pipeStdout: true,
    cleanups: bench.cleanups,
  });
  let output = '';
  proc.child.stdout?.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => void proc.stop(), (seconds + warmupSeconds + 30) * 1000);
  const [code] = await once(proc.child, 'exit');
  clearTimeout(timer);
  await proc.stop();
  const line = output.trim().split('\n').at(-1) ?? '';
  let verifies;
  try {
    verifies = JSON.parse(line).verifiesPerSecond;
  } catch {
    verifies = undefined;
  }
  if (code !== 0 || typeof verifies !== 'number') {
    throw new Error(`argon2-ceiling failed (exit ${code}): ${line}\n${proc.logTail()}`);
  }
  return verifies;
}
