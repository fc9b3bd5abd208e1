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
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ProblemError(400, 'Bad Request', { detail: 'the body is not valid JSON' });
  }
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(413, 'Content Too Large', { detail: `the body exceeds ${maxBytes} bytes` });
}
