// @ts-check
import { readyOrLogTail, spawnNode } from './spawn-node.mjs';

const START_TIMEOUT_MS = 20_000;

/**
 * Starts a baseline server `<serversDir>/<name>.mjs` (PORT and HOST from env) and waits for the one line
 * `{"ready":true,"port":<port>}` it prints on stdout; on failure, rejects with its log tail.
 * @param {{ name: string, env: NodeJS.ProcessEnv, port: number, cpu?: number, bench: { serversDir: string,
 *   pinning: import('./pinning.mjs').Pinning, workDir: string,
 *   cleanups: { push: (stop: () => Promise<void>) => void } } }} options
 * @returns {Promise<import('./spawn-node.mjs').NodeProcess & { url: string }>}
 */
export async function startBaseline({ name, env, port, cpu, bench }) {
  const proc = spawnNode({
    name,
    script: `${bench.serversDir}/${name}.mjs`,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    cpu,
    pinning: bench.pinning,
    logDir: bench.workDir,
    pipeStdout: true,
    cleanups: bench.cleanups,
  });
  await readyOrLogTail(proc, readyLine(proc, port));
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/**
 * Watches stdout (which spawnNode keeps draining into the log file) for the ready line.
 * @param {import('./spawn-node.mjs').NodeProcess} proc @param {number} port @returns {Promise<void>}
 */
function readyLine(proc, port) {
  const stdout = proc.child.stdout;
  if (!stdout) return Promise.reject(new Error('no stdout'));
  let buffered = '';
  /** @type {(chunk: Buffer) => void} */
  let onData = () => {};
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no ready line within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      onData = (chunk) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const message = parseJson(line);
          if (message?.ready !== true) continue;
          if (message.port === port) resolve();
          else reject(new Error(`ready on port ${message.port}, expected ${port}`));
        }
      };
      stdout.on('data', onData);
    })
  ).finally(() => {
    clearTimeout(timer);
    stdout.off('data', onData);
  });
}

/** @param {string} line @returns {any} */
function parseJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
