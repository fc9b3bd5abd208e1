import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './service-process.js';

/**
 * A redis-server of the test's own on a free loopback port, keeping nothing on disk (a restart comes back
 * empty), for fault tests: the shared Redis is never stopped, paused or flushed.
 */
export interface OwnRedisServer {
  url: string;
  port: number;
  /** Starts it (again, empty) on the same port. */
  start(): Promise<void>;
  /** SIGKILL: connections drop at once, nothing is saved. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers (a hung Redis, or a silently cut network). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/** Reserves a port; call start() to run the server. Always resume() and kill() it in cleanup. */
export async function ownRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (running()) throw new Error('redis-server is already running');
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
        started.stdout?.on('data', (chunk: Buffer) => {
          output += chunk;
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}:\n${output}`));
        });
      });
    },
    async kill() {
      const current = child;
      if (!current || !running()) return;
      const exited = once(current, 'exit');
      current.kill('SIGKILL');
      await exited;
    },
    pause() {
      if (running()) child?.kill('SIGSTOP');
    },
    resume() {
      if (running()) child?.kill('SIGCONT');
    },
  };
}
