import type { IncomingMessage } from 'node:http';
import type { Context, Middleware, Next } from 'koa';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from '../rate-limits/token-endpoint-routes.js';
import { writeTokenEndpointInvalidRequest } from './token-endpoint-invalid-request.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * A token request is a handful of short parameters; the longest legitimate one is a token sent to
 * revocation or introspection, which resource servers cap at 8 KiB (guard `maxTokenBytes`). Twice that
 * leaves room for client credentials and hints.
 */
export const DEFAULT_TOKEN_ENDPOINT_MAX_BODY_BYTES = 16 * 1024;

/**
 * oidc-provider's own cap (lib/shared/selective_body.js, 56 KiB), answered with a 400. Ours must be lower
 * for every oversized body to get the 413 from here.
 */
const PROVIDER_BODY_LIMIT = 56 * 1024;

/** RFC 6749 Appendix B: names and values are UTF-8, then percent-encoded. US-ASCII is a subset. */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

export interface TokenEndpointBodyGuardOptions {
  /** Largest accepted body in bytes; default 16 KiB, at most oidc-provider's 56 KiB. */
  maxBodyBytes?: number;
  /** The routes guarded; default oidc-provider's token, revocation and introspection routes. */
  routes?: readonly string[];
}

type Verdict = 'too-large' | 'malformed';

/**
 * Caps the form body of the token endpoints and refuses malformed encodings, in front of oidc-provider:
 *
 * - **Over the cap: 413** (RFC 9110 §15.5.14) with an RFC 6749 §5.2 `invalid_request` body and
 *   `Connection: close`, at once from Content-Length, or as soon as a chunked body grows past it. oidc-provider
 *   alone buffers up to 56 KiB and then answers 400, and nothing smaller is ever a token request.
 * - **Malformed encoding: 400 `invalid_request`** — a `%` not followed by two hex digits (RFC 3986 §2.1), bytes
 *   that are not UTF-8 once percent-decoded (RFC 6749 Appendix B; overlong forms included), or a declared
 *   charset other than UTF-8. oidc-provider parses with Node's `querystring`, which keeps a broken escape as
 *   literal text and turns invalid UTF-8 into U+FFFD: a secret, username or scope would then be compared in a
 *   form the client never meant, and an unknown scope so mangled is silently dropped rather than refused.
 *
 * oidc-provider still reads and parses the body itself, exactly as without this guard: the guard watches the
 * bytes through the request stream's `iterator()`, which is what oidc-provider 9 reads the body with
 * (selective_body.js, `req.iterator({ destroyOnReturn: false })`), and fails that read when the body is
 * refused. Reading the body ahead instead would hand it to oidc-provider through its "already parsed body"
 * fallback, which it warns against. The security suite (apps/auth-server/test/security) sends every case
 * over HTTP, so an oidc-provider upgrade that reads the body another way fails there, not silently.
 *
 * Other content types pass untouched: oidc-provider refuses them without reading the body.
 *
 * @example
 * provider.middleware.unshift(createTokenEndpointBodyGuard({ maxBodyBytes: 16 * 1024 }));
 */
export function createTokenEndpointBodyGuard(options: TokenEndpointBodyGuardOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createTokenEndpointBodyGuard: options must be an object');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_TOKEN_ENDPOINT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > PROVIDER_BODY_LIMIT) {
    throw new TypeError(
      `createTokenEndpointBodyGuard: maxBodyBytes must be an integer from 1 to ${PROVIDER_BODY_LIMIT}`,
    );
  }
  const isTokenEndpoint = matchesProviderRoute(options.routes ?? TOKEN_ENDPOINT_ROUTES);
  const refuseTooLarge = (ctx: Context) => {
    // The rest of the upload is discarded, and the connection closed once the answer is out.
    ctx.req.resume();
    ctx.set('Connection', 'close');
    writeTokenEndpointInvalidRequest(ctx, 413, `the request body exceeds ${maxBodyBytes} bytes`);
  };

  return async function guardTokenEndpointBody(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || !isTokenEndpoint(ctx.path) || !ctx.is(FORM)) return next();
    const charset = ctx.request.charset.toLowerCase();
    if (charset !== '' && !UTF8_CHARSETS.has(charset)) {
      writeTokenEndpointInvalidRequest(ctx, 400, 'the request body must be UTF-8 (RFC 6749 Appendix B)');
      return;
    }
    const declared = ctx.request.length;
    if (declared !== undefined && declared > maxBodyBytes) {
      refuseTooLarge(ctx);
      return;
    }
    const inspection = inspectFormBody(ctx.req, maxBodyBytes);
    await next();
    // oidc-provider answered its generic "failed to parse the request body" 400; say what was wrong.
    if (inspection.verdict === 'too-large') refuseTooLarge(ctx);
    if (inspection.verdict === 'malformed') {
      writeTokenEndpointInvalidRequest(
        ctx,
        400,
        'the request body has a malformed percent-encoding or is not UTF-8',
      );
    }
  };
}

/**
 * Watches the body as oidc-provider reads it: the read fails, and the verdict says why, once the body grows
 * past `maxBytes` or turns out malformed at its end.
 */
function inspectFormBody(req: IncomingMessage, maxBytes: number): { verdict?: Verdict } {
  const inspection: { verdict?: Verdict } = {};
  const iterate = req.iterator;
  req.iterator = function inspectedIterator(options) {
    return inspect(iterate.call(req, options));
  };

  async function* inspect(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer, undefined> {
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of source) {
      received += chunk.length;
      if (received > maxBytes) {
        inspection.verdict = 'too-large';
        break;
      }
      chunks.push(chunk);
      yield chunk;
    }
    if (inspection.verdict === 'too-large') {
      // After the loop: leaving it took the iterator's listeners off, so the stream can flow to its end.
      req.resume();
      throw new Error('request body too large');
    }
    if (!isWellFormedForm(Buffer.concat(chunks, received))) {
      inspection.verdict = 'malformed';
      throw new Error('malformed request body');
    }
    return undefined;
  }
  return inspection;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Every `%` starts a two-hex-digit escape (RFC 3986 §2.1), and the decoded bytes are UTF-8. */
function isWellFormedForm(body: Buffer): boolean {
  const bytes = body.toString('latin1'); // one character per byte, whatever the bytes are
  if (/%(?![0-9A-Fa-f]{2})/.test(bytes)) return false;
  const decoded = bytes.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  try {
    strictUtf8.decode(Buffer.from(decoded, 'latin1'));
    return true;
  } catch {
    return false;
  }
}
