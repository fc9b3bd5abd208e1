import type { TestAuthServer } from './test-auth-server.js';

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | undefined;
}

/** POST a JSON body to the public listener's account API, with an optional bearer token. */
export async function postAccount(
  server: TestAuthServer,
  path: string,
  body: unknown,
  init: { token?: string; ip?: string } = {},
): Promise<JsonResponse> {
  const response = await fetch(`${server.url}/account${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Polls until `probe` resolves to something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The newest email to `recipient` whose subject matches, once the background sender has written it. */
export function emailTo(server: TestAuthServer, recipient: string, subject: RegExp) {
  return eventually(async () => {
    const rows = await server.prisma.emailOutbox.findMany({
      where: { recipient },
      orderBy: { createdAt: 'desc' },
    });
    return rows.find((row) => subject.test(row.subject));
  });
}

/** The single-use token inside an account email's link. */
export function tokenIn(text: string): string {
  const match = /#token=([A-Za-z0-9_-]{43})/.exec(text);
  if (!match?.[1]) throw new Error('no token link in the message');
  return match[1];
}

/** Every email written to the outbox for `recipient`. */
export async function emailsTo(server: TestAuthServer, recipient: string) {
  return server.prisma.emailOutbox.findMany({ where: { recipient }, orderBy: { createdAt: 'asc' } });
}
