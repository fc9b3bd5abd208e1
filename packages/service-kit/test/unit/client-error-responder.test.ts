import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { answerClientErrors } from '../../src/client-error-responder.js';
import { captureLogs } from './capture-logs.js';

const logs = captureLogs('info');
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('{}'));
  server.on('clientError', answerClientErrors(logs.logger));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends raw bytes (what fetch refuses to send) and reads until the server closes the connection. */
function rawExchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(request);
  });
}

function parse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { statusLine, headers, body };
}

describe('answerClientErrors', () => {
  it('answers an overlong URL with a 431 problem+json and a request id', async () => {
    const { statusLine, headers, body } = parse(
      await rawExchange(`GET /${'a'.repeat(20_000)}?access_token=leaked HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Request Header Fields Too Large',
      status: 431,
    });
    const line = logs.lines.find((entry) => entry.requestId === headers['x-request-id']);
    expect(line).toMatchObject({ msg: 'request refused by the HTTP parser', status: 431 });
    expect(logs.raw()).not.toContain('leaked');
  });

  it('answers a malformed request line with a 400 problem+json', async () => {
    const { statusLine, headers, body } = parse(await rawExchange('NOT A REQUEST\r\n\r\n'));
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status: 400 });
  });
});
