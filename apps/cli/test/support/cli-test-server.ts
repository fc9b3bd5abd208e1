import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PERMISSIONS } from '../../../auth-server/src/admin/admin-permissions.js';
import {
  startTestAuthServer,
  type TestAuthServer,
} from '../../../auth-server/test/support/test-auth-server.js';
import { type CliRun, runPortcullis } from './run-portcullis.js';

export const ADMIN_CLIENT = { id: 'ops-cli', secret: 'ops-cli-secret-0123456789' };

export interface CliTestServer {
  server: TestAuthServer;
  /** PORTCULLIS_CONFIG_DIR of the default session. */
  configDir: string;
  /**
   * Runs `portcullis` with the default session directory and PORTCULLIS_ISSUER_URL (the test issuer
   * identifier is not the port the server listens on); `env` adds to or overrides that.
   */
  run(args: string[], options?: { env?: Record<string, string>; stdin?: string }): Promise<CliRun>;
  /** `portcullis login` as the full admin client, secret on stdin. */
  login(): Promise<CliRun>;
  /** A fresh, empty session directory. */
  newConfigDir(): Promise<string>;
  close(): Promise<void>;
}

/** A real auth server (its own database) with an admin client holding every admin permission. */
export async function startCliTestServer(): Promise<CliTestServer> {
  const server = await startTestAuthServer();
  await server.addClient({
    id: ADMIN_CLIENT.id,
    secret: ADMIN_CLIENT.secret,
    grantTypes: ['client_credentials'],
    scopes: ['admin'],
    permissions: [...ADMIN_PERMISSIONS],
  });
  const directories: string[] = [];
  const newConfigDir = async () => {
    const directory = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
    directories.push(directory);
    return directory;
  };
  const configDir = await newConfigDir();
  const run: CliTestServer['run'] = (args, options = {}) =>
    runPortcullis(args, {
      env: { PORTCULLIS_CONFIG_DIR: configDir, PORTCULLIS_ISSUER_URL: server.url, ...options.env },
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    });
  return {
    server,
    configDir,
    run,
    login: () =>
      run(
        ['login', '--admin-url', server.adminUrl, '--client-id', ADMIN_CLIENT.id, '--client-secret-stdin'],
        {
          stdin: `${ADMIN_CLIENT.secret}\n`,
        },
      ),
    newConfigDir,
    async close() {
      await server.close();
      await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
    },
  };
}
