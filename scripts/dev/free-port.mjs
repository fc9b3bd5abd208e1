// @ts-check
import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now, chosen by the OS (never 5432 or 6379 while those are taken).
 * Another process may grab it before the caller binds it; callers start right away.
 * @returns {Promise<number>}
 */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}
