/**
 * A real JWKS with a handful of RSA keys is a few KiB; 512 KiB leaves room for x5c chains while keeping a
 * misbehaving or hostile endpoint from making us buffer and parse an unbounded body.
 */
export const maxJwksBytes = 512 * 1024;

export interface FetchJwksOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes?: number;
}

/**
 * GETs a JWK Set (RFC 7517 §5) and returns its raw `keys` entries, unchecked. Rejects on anything that is
 * not a 2xx JSON object with a `keys` array, so the caller keeps the key set it already has.
 */
export async function fetchJwks(url: URL, options: FetchJwksOptions): Promise<unknown[]> {
  const maxBytes = options.maxBytes ?? maxJwksBytes;
  // Called unbound: a browser-style fetch throws "Illegal invocation" when called as a method of another object.
  const fetchImpl = options.fetch;
  const response = await fetchImpl(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    // A redirect would let whoever controls the first hop choose where our keys come from.
    redirect: 'error',
    // Covers the body too: undici aborts the stream when the signal fires.
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) {
    await discardBody(response);
    throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
  }
  const text = await readBodyUpTo(response, maxBytes);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error('JWKS response is not JSON');
  }
  if (typeof document !== 'object' || document === null || !('keys' in document)) {
    throw new Error('JWKS response has no "keys" member');
  }
  const { keys } = document;
  if (!Array.isArray(keys)) throw new Error('JWKS "keys" member is not an array');
  return keys;
}

async function readBodyUpTo(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new Error(`JWKS response is larger than ${maxBytes} bytes`);
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await discardBody(response);
    throw tooLarge();
  }
  if (response.body === null) return '';
  // Counted while streaming: content-length may be absent (chunked) or wrong.
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    // fatal: a body that is not UTF-8 is not a JWKS (RFC 8259 §8.1).
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error('JWKS response is not UTF-8');
  }
}

/** Releases the connection without reading a body we are going to reject anyway. */
async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
