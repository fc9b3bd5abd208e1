// @ts-check
import { existsSync } from 'node:fs';
import { errorLine, isRefused, redactUrl, secretsOf } from './redact.mjs';
import { pingRedis } from './redis-ping.mjs';
import { findOnPath, startRedisServer } from './redis-server.mjs';

const LOCAL_URL = 'redis://127.0.0.1:6379';

/** @typedef {{ url: string | undefined, notes: string[], stop: () => Promise<void> }} RedisChoice */

/**
 * REDIS_URL when set (it must answer PING); else a local server on 127.0.0.1:6379; else a redis-server from
 * PATH started on a free port (working directory `dir`); else none, with a note on how to get one.
 * @param {{ env: Record<string, string | undefined>, dir: string, shownDir: string, probeDefaults: boolean,
 *   log: (line: string) => void }} options
 * @returns {Promise<RedisChoice>}
 */
export async function resolveRedis({ env, dir, shownDir, probeDefaults, log }) {
  const configured = env.REDIS_URL;
  if (configured) {
    try {
      await pingRedis(configured, 3000);
    } catch (error) {
      const reason = errorLine(error, secretsOf(configured));
      throw new Error(`REDIS_URL (${redactUrl(configured)}) does not answer PING: ${reason}`);
    }
    return { url: configured, notes: [`Redis: REDIS_URL (${redactUrl(configured)})`], stop: async () => {} };
  }

  /** @type {string[]} */
  const notes = [];
  if (probeDefaults) {
    try {
      await pingRedis(LOCAL_URL, 1000);
      return { url: LOCAL_URL, notes: ['Redis: local server on 127.0.0.1:6379'], stop: async () => {} };
    } catch (error) {
      if (!isRefused(error)) notes.push(`Redis: 127.0.0.1:6379 not usable (${errorLine(error)})`);
    }
  }

  const binary = findOnPath('redis-server', env.PATH);
  if (!binary) {
    const looked = probeDefaults ? 'no REDIS_URL, no server on 127.0.0.1:6379' : 'no REDIS_URL';
    notes.push(`Redis: none (${looked}, no redis-server on PATH); get it with: ${installHint()}`);
    return { url: undefined, notes, stop: async () => {} };
  }
  log(`Redis: starting ${binary}`);
  try {
    const server = await startRedisServer({ binary, dir });
    notes.push(
      `Redis: embedded (redis-server ${server.version}) on 127.0.0.1:${server.port}, no persistence, dir ${shownDir}`,
    );
    return { url: server.url, notes, stop: server.stop };
  } catch (error) {
    throw new Error(`Redis: ${errorLine(error)}`);
  }
}

/** The one command that installs redis-server here. */
function installHint() {
  if (process.platform === 'darwin') return 'brew install redis';
  if (existsSync('/etc/debian_version'))
    return `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install redis-server`;
  if (existsSync('/etc/fedora-release') || existsSync('/etc/redhat-release')) return 'sudo dnf install redis';
  return "your package manager's redis-server package (apt-get install redis-server, brew install redis)";
}
