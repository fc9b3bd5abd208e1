import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** What Node's HTTP parser reports (codes from llhttp and node:http). */
interface ClientError extends Error {
  code?: string;
}

/** Node's own choice of status for each parser failure (lib/_http_server.js socketOnError). */
function statusFor(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431; // request line + headers over --max-http-header-size (16 KiB): an overlong URL
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/**
 * A `clientError` listener for node:http servers: a request the HTTP parser refuses (an overlong URL or
 * header block, a malformed request line, a header timeout) never reaches Koa, and Node's default answer is
 * a bare status line with no body. This one answers the same status with an RFC 9457 problem+json body, an
 * `X-Request-Id` and the baseline headers, and logs one `request refused by the HTTP parser` line with
 * that id — no URL or header value, which may hold a credential. Like Node's, it answers only when nothing
 * has been written to the connection yet, then closes it.
 *
 * @example
 * const server = createServer(app.callback());
 * server.on('clientError', answerClientErrors(logger));
 */
export function answerClientErrors(logger: Logger) {
  return function answerClientError(error: ClientError, socket: Duplex): void {
    // A reset peer is gone: nothing to answer, nothing worth a log line.
    if (error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = statusFor(error.code);
    const requestId = randomUUID();
    logger.info({ requestId, status, code: error.code }, 'request refused by the HTTP parser');
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const title = STATUS_CODES[status] ?? 'Bad Request';
      const body = JSON.stringify({ type: 'about:blank', title, status });
      socket.write(
        [
          `HTTP/1.1 ${status} ${title}`,
          'Content-Type: application/problem+json',
          `Content-Length: ${Buffer.byteLength(body)}`,
          `X-Request-Id: ${requestId}`,
          'X-Content-Type-Options: nosniff',
          'Cache-Control: no-store',
          'Connection: close',
          '',
          body,
        ].join('\r\n'),
      );
    }
    socket.destroy();
  };
}
