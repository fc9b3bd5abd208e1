// @ts-check
import { fileURLToPath } from 'node:url';
import { sleep } from '../../dev/wait.mjs';
import { readyOrLogTail, spawnNode } from './spawn-node.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Start-up includes migrations-free boot, key load and the revocation mirror's first sync. */
const START_TIMEOUT_MS = 30_000;

/**
 * Starts one of our built apps (`apps/<app>/dist/main.js`, `npm run build` first) and waits until its
 * /readyz answers 200; on failure, rejects with its log tail.
 * @param {{ app: 'auth-server' | 'resource-server', name?: string, env: NodeJS.ProcessEnv, port: number,
 *   cpu?: number, bench: { pinning: import('./pinning.mjs').Pinning, workDir: string,
 *   cleanups: { push: (stop: () => Promise<void>) => void } } }} options
 * @returns {Promise<import('./spawn-node.mjs').NodeProcess & { url: string }>}
 */
export async function startApp({ app, name = app, env, port, cpu, bench }) {
  const proc = spawnNode({
    name,
    script: `${root}apps/${app}/dist/main.js`,
    env,
    cpu,
    pinning: bench.pinning,
    logDir: bench.workDir,
    cleanups: bench.cleanups,
  });
  const url = `http://127.0.0.1:${port}`;
  await readyOrLogTail(proc, waitForReadyz(`${url}/readyz`, proc));
  return { ...proc, url };
}

/** @param {string} url @param {import('./spawn-node.mjs').NodeProcess} proc */
async function waitForReadyz(url, proc) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
    const ready = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) return;
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${START_TIMEOUT_MS / 1000} s`);
}
