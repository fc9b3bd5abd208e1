import { runCli } from '../e2e/auth-server-process.js';

/**
 * Plain fetch against a built auth-server process (apps/auth-server/test/e2e): no in-process server, no
 * OAuth library — what any HTTP client would send. Every request is bounded so a hung answer fails with the
 * request named instead of running into the test's timeout.
 */

const REQUEST_BOUND_MS = 5000;

/** What a test looks at: status, the headers, the raw text and the JSON body when there is one. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | undefined;
}

export interface ClientSecret {
  id: string;
  secret: string;
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POST a JSON body, with a bearer token when given. */
export async function postJson(url: string, body: unknown, token?: string): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return answerOf(response);
}

/** A token request at `<issuer>/token` with HTTP Basic client authentication (RFC 6749 §2.3.1). */
export async function tokenRequest(
  issuer: string,
  client: ClientSecret,
  params: Record<string, string>,
): Promise<HttpAnswer> {
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`);
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${basic.toString('base64')}`,
    },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return answerOf(response);
}

/**
 * The newest outbox link to `address` whose URL contains `pathPart`, read through the built
 * `show-email-outbox --link` command. Account mail leaves after the 202, so the command is run again until
 * such a link is there; rejects after `timeoutMs` (a generous bound, not an expectation).
 */
export async function outboxLink(
  env: Record<string, string>,
  address: string,
  pathPart: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = (await runCli('cli/show-email-outbox.js', [address, '--link'], env)).trim();
      if (last.includes(pathPart)) return last;
    } catch (error) {
      // Exit 1 ("no link in the outbox") until the message is written.
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`no ${pathPart} link for ${address}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The single-use token in an account link's fragment (`#token=`). */
export function tokenOfLink(link: string): string {
  const token = new URL(link).hash.match(/^#token=([A-Za-z0-9_-]+)$/)?.[1];
  if (!token) throw new Error('the link carries no token');
  return token;
}
