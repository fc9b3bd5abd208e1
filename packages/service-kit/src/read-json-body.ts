import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { ProblemError } from './problem.js';

/**
 * Reads a JSON request body with a hard size limit, refusing other media types (415), oversized bodies (413,
 * stopping at the limit rather than buffering all of it) and malformed JSON (400). The caller validates the
 * result with its schema.
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw new ProblemError(415, 'Unsupported Media Type', { detail: 'send the body as application/json' });
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxBytes) {
    // Discarded while the 413 goes out; `Connection: close` ends the upload once it has.
    ctx.req.resume();
    throw tooLarge(maxBytes);
  }
  const body = await readUpTo(ctx.req, maxBytes);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProblemError(400, 'Bad Request', { detail: 'the body is not valid JSON' });
  }
}

/**
 * Collects the body, rejecting with a 413 as soon as it passes `maxBytes`. Not `for await`: leaving that loop
 * early destroys the request and its socket, and the client then saw ECONNRESET instead of the 413 (about one
 * streamed request in three, measured at 64 KiB over a 1 KiB limit).
 */
function readUpTo(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the request closed before its body was complete'));
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    413,
    'Content Too Large',
    { detail: `the body exceeds ${maxBytes} bytes` },
    { Connection: 'close' },
  );
}
