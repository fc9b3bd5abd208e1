import { type Answer, adminRequest, REQUEST_BOUND_MS, toAnswer } from './cluster-http.js';
import type { AuthInstance, ResourceInstance } from './multi-instance-cluster.js';

/** Pause between two polls of one server: enough to let the servers breathe, far below any bound. */
const POLL_INTERVAL_MS = 20;

/** What the admin API answers at creation and rotation: the key itself, shown this once. */
export interface IssuedKey {
  id: string;
  prefix: string;
  key: string;
}

/** The body of `POST /api-keys` (apps/auth-server/src/admin/api-key-schemas.ts createApiKeyBody). */
export interface ApiKeyRequest {
  name: string;
  owner: { client: string } | { user: string };
  scopes: string[];
  roles?: string[];
  permissions?: string[];
  expiresAt?: string;
}

/** `POST /api-keys` through this instance's admin API; throws unless it answers 201 with a key. */
export async function issueApiKey(
  instance: AuthInstance,
  adminToken: string,
  request: ApiKeyRequest,
): Promise<IssuedKey> {
  return issuedFrom(await adminRequest(instance, adminToken, '/api-keys', { method: 'POST', body: request }));
}

/** `POST /api-keys/{id}/rotate` with this grace; throws unless it answers 201 with the new key. */
export async function rotateApiKey(
  instance: AuthInstance,
  adminToken: string,
  id: string,
  graceSeconds: number,
): Promise<IssuedKey> {
  return issuedFrom(
    await adminRequest(instance, adminToken, `/api-keys/${id}/rotate`, {
      method: 'POST',
      body: { graceSeconds },
    }),
  );
}

function issuedFrom(answer: Answer): IssuedKey {
  if (answer.status !== 201) {
    throw new Error(`no API key issued (${answer.status}): ${JSON.stringify(answer.body)}`);
  }
  return answer.body as IssuedKey;
}

/** A bounded request to a resource server with `X-API-Key` (and nothing else); a body is sent as JSON. */
export async function callWithApiKey(
  server: ResourceInstance,
  key: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const startedAt = Date.now();
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'x-api-key': key,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return toAnswer(response, startedAt);
}

export interface KeyWaitOptions {
  /** A generous upper bound, never an expectation. */
  timeoutMs: number;
  /** Every answer before `expected` must be one of these. */
  allowedBefore: number[];
  /** Default `/items`. */
  path?: string;
}

/** When (epoch ms, on receipt) each server first answered the expected status, by server name. */
export type FirstAnswers = Record<string, number>;

/**
 * Polls `GET <path>` with the key on every server until each answers `expected`, like status-polling.ts's
 * waitForStatusEverywhere does for bearer tokens: before that, only `allowedBefore` answers; after it, only
 * `expected` (a refused key is never accepted again, an accepted one is not refused again while the others
 * catch up). Resolves with the receipt time of each server's first `expected` answer, to measure
 * propagation against; rejects at the first answer out of line or after timeoutMs, naming the server.
 */
export async function waitForKeyStatusEverywhere(
  servers: readonly ResourceInstance[],
  key: string,
  expected: number,
  { timeoutMs, allowedBefore, path = '/items' }: KeyWaitOptions,
): Promise<FirstAnswers> {
  const deadline = Date.now() + timeoutMs;
  const first: FirstAnswers = {};
  let failure: Error | undefined;
  const reachedEverywhere = () => Object.keys(first).length === servers.length;

  const watch = async (server: ResourceInstance) => {
    const seen: number[] = [];
    while (failure === undefined && !reachedEverywhere()) {
      const { status } = await callWithApiKey(server, key, path);
      const receivedAt = Date.now();
      seen.push(status);
      if (first[server.name] !== undefined && status !== expected) {
        throw new Error(`${server.name} answered ${status} after it had answered ${expected}: ${seen}`);
      }
      if (status === expected) first[server.name] ??= receivedAt;
      else if (!allowedBefore.includes(status)) {
        throw new Error(`${server.name} answered ${status} while waiting for ${expected}: ${seen}`);
      } else if (receivedAt > deadline) {
        throw new Error(`${server.name} still not ${expected} after ${timeoutMs} ms: ${seen.slice(-20)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  };
  await Promise.all(
    servers.map((server) =>
      watch(server).catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }),
    ),
  );
  if (failure) throw failure;
  return first;
}

/** One `GET <path>` per server with the key: every answer must be `expected`; rejects naming the others. */
export async function expectKeyStatusEverywhere(
  servers: readonly ResourceInstance[],
  key: string,
  expected: number,
  path = '/items',
): Promise<void> {
  const answers = await Promise.all(servers.map((server) => callWithApiKey(server, key, path)));
  const wrong = answers.flatMap((answer, at) =>
    answer.status === expected ? [] : [`${servers[at]?.name} answered ${answer.status}`],
  );
  if (wrong.length > 0) throw new Error(`expected ${expected} everywhere: ${wrong.join('; ')}`);
}
