import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@portcullis/service-kit';
import { loadConfig, type ResourceServerConfig } from '../../src/config.js';
import { type Container, type ContainerOverrides, createContainer } from '../../src/container.js';

export interface TestResourceServer {
  url: string;
  config: ResourceServerConfig;
  container: Container;
  /** fetch() relative to the server, with an optional bearer token. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** The resource server in-process on an ephemeral loopback port, driven over real HTTP. */
export async function startTestResourceServer(
  env: { DATABASE_URL: string; ISSUER: string; AUDIENCE: string } & Record<string, string>,
  overrides: ContainerOverrides = {},
): Promise<TestResourceServer> {
  const config = loadConfig({
    PORTCULLIS_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    // Suites fire many requests per subject in a minute; the limit tests set their own low values.
    RATE_LIMIT_PER_SUBJECT: '100000',
    ...env,
  });
  const container = await createContainer(config, createLogger('resource-server', 'silent'), overrides);
  const server: Server = createServer(container.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    config,
    container,
    request(path, { token, headers, ...init } = {}) {
      return fetch(`${url}${path}`, {
        ...init,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(headers as Record<string, string>),
        },
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await container.close();
    },
  };
}
