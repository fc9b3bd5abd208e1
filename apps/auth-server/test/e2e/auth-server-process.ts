import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '../../../../test/support/service-process.js';

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Runs a built CLI of the auth server to completion; rejects with its stderr on a non-zero exit. */
export async function runCli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [`${distDir}${script}`, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`${script} exited ${code}: ${stderr}`);
  return stdout;
}

export type AuthServerProcess = ServiceProcess;

/** `node dist/main.js` on a free loopback port, its issuer being that port's URL. */
export async function startAuthServerProcess(env: Record<string, string>): Promise<AuthServerProcess> {
  const port = await freePort();
  return startServiceProcess(
    'auth-server',
    `${distDir}main.js`,
    // The admin listener takes any free port: several servers run side by side in one test run.
    { ADMIN_PORT: '0', ...env, ISSUER: `http://127.0.0.1:${port}` },
    port,
  );
}
