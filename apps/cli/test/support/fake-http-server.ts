import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
}

export interface FakeHttpServer {
  url: string;
  /** Every request received, in order: proof of what the CLI did (or did not) send here. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** What a route answers: a JSON body with status 200, computed once the server's own URL is known. */
export type FakeRoutes = (url: string) => Record<string, unknown>;

/**
 * A loopback HTTP server standing in for a hostile or misconfigured admin listener or issuer: it serves fixed
 * JSON documents by path (404 otherwise) and records every request.
 */
export async function startFakeHttpServer(routes: FakeRoutes): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  let documents: Record<string, unknown> = {};
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    requests.push({ method: request.method ?? 'GET', path });
    request.resume();
    const document = documents[path];
    response.writeHead(document === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(document ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  documents = routes(url);
  return {
    url,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
