import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far (JSON log lines). */
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a built service (`node <mainJs>`) on a free loopback port and resolves once it logs
 * `"<name> listening"` — the line serveHttp writes.
 */
export async function startServiceProcess(
  name: string,
  mainJs: string,
  env: Record<string, string>,
  port?: number,
): Promise<ServiceProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, [mainJs], {
    // The readiness line is an info log: LOG_LEVEL is forced whatever the caller's environment says.
    // Metrics on any free port: several services run at once in one test run (a caller may still pick one).
    env: {
      PATH: process.env.PATH ?? '',
      METRICS_PORT: '0',
      ...env,
      LOG_LEVEL: 'info',
      PORT: String(listenPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a half-started process must not outlive the test run
      reject(new Error(`${name} did not start in 20 s:\n${output}`));
    }, 20_000);
    const onData = () => {
      if (!output.includes(`"msg":"${name} listening"`)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    url: `http://127.0.0.1:${listenPort}`,
    port: listenPort,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
