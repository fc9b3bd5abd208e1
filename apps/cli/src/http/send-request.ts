import { ConnectionError } from '../cli-errors.js';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer says it is JSON, else undefined (HTML error pages are not shown). */
  json: unknown;
}

/**
 * One fetch with a deadline covering the body too. Anything short of an HTTP answer — refused, unresolvable,
 * reset, timed out — becomes a ConnectionError (exit 4) naming the origin, never a stack trace.
 */
export async function sendRequest(url: string, init: RequestInit, timeoutMs: number): Promise<HttpAnswer> {
  const origin = new URL(url).origin;
  try {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const isJson = /^application\/([\w.+-]+\+)?json\b/i.test(response.headers.get('content-type') ?? '');
    return { status: response.status, headers: response.headers, json: isJson ? parseJson(text) : undefined };
  } catch (error) {
    throw new ConnectionError(`cannot reach ${origin}: ${describeNetworkError(error, timeoutMs)}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const { name, cause } = error as { name?: string; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  // undici wraps the socket error: TypeError('fetch failed', { cause: Error { code: 'ECONNREFUSED' } }).
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const nested = (cause as { errors?: { code?: unknown }[] } | undefined)?.errors?.[0]?.code;
  if (typeof nested === 'string') return nested;
  return 'connection failed';
}
