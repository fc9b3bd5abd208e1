// @ts-check
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * @typedef {{ clientId: string, clientSecret: string, scopes: string[] }} DemoClient
 * @typedef {{ users: { username: string, password: string }[], clients: DemoClient[],
 *   client: (id: string) => DemoClient }} DemoCredentials
 */

/**
 * Seeds the demo roles, users (alice, bob, carol) and clients (demo-web, demo-service, demo-admin, ...)
 * into the bench database with the auth server's own seed command, and answers their fresh credentials.
 * @param {NodeJS.ProcessEnv} authEnv @param {string} workDir @returns {Promise<DemoCredentials>}
 */
export async function seedDemoCredentials(authEnv, workDir) {
  const file = join(workDir, 'credentials.json');
  const child = spawn(process.execPath, [join(root, 'apps/auth-server/dist/cli/seed-demo-data.js'), file], {
    env: { ...authEnv, PATH: process.env.PATH },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`seed-demo-data exited with ${code}: ${output}`);
  const credentials = JSON.parse(readFileSync(file, 'utf8'));
  return {
    ...credentials,
    client: (id) => {
      const found = credentials.clients.find((/** @type {DemoClient} */ client) => client.clientId === id);
      if (!found) throw new Error(`no demo client ${id}`);
      return found;
    },
  };
}
