// @ts-check
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.mjs';
import { guardPid } from './process-guard.mjs';
import { pingRedis } from './redis-ping.mjs';
import { sleep, withTimeout } from './wait.mjs';

/** The first executable `name` in the directories of `pathVariable` (a PATH value). @param {string} name @param {string} [pathVariable] */
export function findOnPath(name, pathVariable = '') {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs `binary` (a redis-server) on a free 127.0.0.1 port without persistence, working directory `dir`,
 * and resolves once it answers PING (within 10 s). Rejects with a one-line message; nothing is left running.
 * @param {{ binary: string, dir: string }} options
 * @returns {Promise<{ url: string, port: number, version: string, startMs: number, stop: () => Promise<void> }>}
 */
export async function startRedisServer({ binary, dir }) {
  await mkdir(dir, { recursive: true });
  const version = await promisify(execFile)(binary, ['--version'], { timeout: 5000 }).then(
    ({ stdout }) => /v=(\S+)/.exec(stdout)?.[1] ?? 'unknown version',
    () => 'unknown version',
  );
  const port = await freePort();
  const started = Date.now();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes'];
  args.push('--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  /** @type {string[]} */
  const output = [];
  /** @param {Buffer} chunk */
  const keep = (chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line.trim());
    output.splice(0, Math.max(0, output.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  /** @type {string | undefined} */
  let ended;
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      ended = `exited (${signal ?? `code ${code}`})`;
      resolve();
    });
    child.once('error', (error) => {
      ended = `could not run: ${error.message}`;
      resolve();
    });
  });
  const unguard = child.pid ? guardPid(child.pid, 'SIGTERM') : () => {};
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (!ended) child.kill('SIGTERM');
      await withTimeout(exited, 5000, 'redis-server shutdown').catch(() => child.kill('SIGKILL'));
      await withTimeout(exited, 2000, 'redis-server kill').catch(() => {});
      unguard();
    })());

  const url = `redis://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
    const problem = ended ?? (Date.now() > deadline ? 'did not answer PING within 10 s' : undefined);
    if (problem) {
      await stop();
      throw new Error(`redis-server ${problem}${output.length ? `: ${output.at(-1)}` : ''}`);
    }
    if (
      await pingRedis(url, 500).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  return { url, port, version, startMs: Date.now() - started, stop };
}
