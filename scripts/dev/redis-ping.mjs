// @ts-check
import net from 'node:net';
import tls from 'node:tls';

/** @param {string[]} args */
const command = (args) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * Sends PING (after AUTH when the URL carries a password) over a raw socket and resolves on +PONG.
 * Accepts redis:// and rediss:// URLs; rejects with what went wrong (refused, timeout, an error reply).
 * @param {string} url
 * @param {number} [timeoutMs]
 * @returns {Promise<void>}
 */
export function pingRedis(url, timeoutMs = 2000) {
  const target = new URL(url);
  if (target.protocol !== 'redis:' && target.protocol !== 'rediss:') {
    return Promise.reject(new Error(`unsupported scheme ${target.protocol} (expected redis: or rediss:)`));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(target.port || 6379);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const commands = password ? [user ? ['AUTH', user, password] : ['AUTH', password]] : [];
  commands.push(['PING']);
  const expected = commands.map(([name]) => (name === 'AUTH' ? '+OK' : '+PONG'));

  return new Promise((resolve, reject) => {
    const socket =
      target.protocol === 'rediss:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port });
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    let received = '';
    /** @param {Error} [error] */
    function finish(error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    }
    socket.once(target.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      socket.write(commands.map(command).join(''));
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
      const lines = received.split('\r\n').slice(0, -1);
      for (const [i, line] of lines.entries()) {
        if (i >= expected.length) break;
        if (line !== expected[i]) return finish(new Error(`answered ${JSON.stringify(line.slice(0, 80))}`));
      }
      if (lines.length >= expected.length) finish();
    });
    socket.on('error', finish);
    socket.on('close', () => finish(new Error('closed the connection without answering PING')));
  });
}
