// @ts-check
import { Agent, request } from 'node:http';

/** No single request may hang a load run. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * @typedef {{ method?: string, path: string, headers?: Record<string, string>, body?: string }} Request
 * @typedef {{ status: number, body: string }} Answer
 */

/**
 * A keep-alive HTTP/1.1 client for one origin (node:http: less client-side work per request than fetch,
 * which matters when the load generator shares a core).
 * @param {string} origin e.g. http://127.0.0.1:4000
 * @param {number} connections
 */
export function createHttpClient(origin, connections) {
  const { hostname, port } = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    /** @param {Request} options @returns {Promise<Answer>} */
    send: ({ method = 'GET', path, headers = {}, body }) =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          {
            agent,
            hostname,
            port,
            method,
            path,
            headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
            timeout: REQUEST_TIMEOUT_MS,
          },
          (incoming) => {
            const chunks = /** @type {Buffer[]} */ ([]);
            incoming.on('data', (chunk) => chunks.push(chunk));
            incoming.on('end', () =>
              resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            incoming.on('error', reject);
          },
        );
        outgoing.on('timeout', () =>
          outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** `Basic` credentials for client_secret_basic (RFC 6749 §2.3.1: form-encoded, then base64). */
export function basicAuthorization(/** @type {string} */ clientId, /** @type {string} */ secret) {
  const encode = (/** @type {string} */ value) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * One refresh-token grant; answers the rotated refresh token, or the failure.
 * @param {ReturnType<typeof createHttpClient>} client @param {string} authorization @param {string} token
 * @returns {Promise<{ ok: true, token: string } | { ok: false, reason: string }>}
 */
export async function rotateRefreshToken(client, authorization, token) {
  try {
    const answer = await client.send({
      method: 'POST',
      path: '/token',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
    });
    const next = answer.status === 200 ? JSON.parse(answer.body).refresh_token : undefined;
    if (typeof next === 'string') return { ok: true, token: next };
    return { ok: false, reason: `${answer.status} ${answer.body.slice(0, 200)}` };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
