import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface Listening {
  /** Base URL, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serves a Koa app on an ephemeral loopback port, so tests assert on what goes over the wire. */
export async function listen(app: Koa): Promise<Listening> {
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
