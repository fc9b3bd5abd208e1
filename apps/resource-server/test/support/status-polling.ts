import { callResource } from './cluster-http.js';
import type { ResourceInstance } from './multi-instance-cluster.js';

/** Pause between two polls of one server: enough to let the servers breathe, far below any bound. */
const POLL_INTERVAL_MS = 20;

export interface WaitOptions {
  /** A generous upper bound, never an expectation. Default 5000. */
  timeoutMs?: number;
  /** Every answer before `expected` must be one of these. */
  allowedBefore: number[];
}

/** What each server answers `GET /me` with this token, one request each, in parallel. */
export async function statusesOf(servers: readonly ResourceInstance[], token: string): Promise<number[]> {
  return Promise.all(servers.map(async (server) => (await callResource(server, token)).status));
}

/**
 * Polls `GET /me` with the token on every server until each answers `expected`. Until it does, a server
 * may only answer one of `allowedBefore`; once it has answered `expected`, it is polled on until every
 * server has, and must answer `expected` every time (a revoked token, once refused, is never accepted
 * again). Rejects at the first answer out of line, or after timeoutMs, naming the server and the answers.
 */
export async function waitForStatusEverywhere(
  servers: readonly ResourceInstance[],
  token: string,
  expected: number,
  { timeoutMs = 5000, allowedBefore }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const reached = new Set<string>();
  let failure: Error | undefined;

  const watch = async (server: ResourceInstance) => {
    const seen: number[] = [];
    while (failure === undefined && reached.size < servers.length) {
      const { status } = await callResource(server, token);
      seen.push(status);
      if (reached.has(server.name) && status !== expected) {
        throw new Error(`${server.name} answered ${status} after it had answered ${expected}: ${seen}`);
      }
      if (status === expected) reached.add(server.name);
      else if (!allowedBefore.includes(status)) {
        throw new Error(`${server.name} answered ${status} while waiting for ${expected}: ${seen}`);
      } else if (Date.now() > deadline) {
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
}

/** One request per server and token: every answer must be `expected`; rejects naming those that are not. */
export async function expectStatusEverywhere(
  servers: readonly ResourceInstance[],
  tokens: readonly string[],
  expected: number,
): Promise<void> {
  const wrong: string[] = [];
  for (const [index, token] of tokens.entries()) {
    const statuses = await statusesOf(servers, token);
    statuses.forEach((status, at) => {
      if (status !== expected) wrong.push(`token #${index} got ${status} from ${servers[at]?.name}`);
    });
  }
  if (wrong.length > 0) throw new Error(`expected ${expected} everywhere: ${wrong.join('; ')}`);
}

/** What a sentinel saw: how many answers of each status (`error` for a request that failed or timed out). */
export type SeenStatuses = Record<string, number>;

export interface Sentinel {
  /** Stops polling after the round in flight; resolves with every answer seen. */
  stop(): Promise<SeenStatuses>;
}

/**
 * Polls `GET /me` on every server with every token of `tokens()` (read again each round, so tokens revoked
 * meanwhile join), back to back, until stopped: a background witness that a revoked token is never
 * accepted at any moment of a fault, not only at the moments a test step looks.
 */
export function watchTokens(servers: readonly ResourceInstance[], tokens: () => readonly string[]): Sentinel {
  const seen: SeenStatuses = {};
  let stopped = false;
  const count = (key: string) => {
    seen[key] = (seen[key] ?? 0) + 1;
  };
  const poll = async (server: ResourceInstance) => {
    while (!stopped) {
      for (const token of tokens()) {
        await callResource(server, token).then(
          ({ status }) => count(String(status)),
          () => count('error'),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  };
  const running = Promise.all(servers.map(poll));
  return {
    async stop() {
      stopped = true;
      await running;
      return seen;
    },
  };
}
