// @ts-check
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** autocannon 9 ships no type declarations. @type {(options: Record<string, unknown>) => Promise<any>} */
const autocannon = createRequire(import.meta.url)('autocannon');

/**
 * Bearer tokens handed out one per request, across runs: a warm-up never spends a token a repetition will
 * use. A request past the end of the list reuses one, and is counted.
 * @type {Map<string, { tokens: string[], next: number, reused: number }>}
 */
const tokenLists = new Map();

/**
 * One autocannon run (programmatic API). `tokensFile` (a JSON array of access tokens) sends each request
 * with the next token of that list in `authorization`.
 * @param {Record<string, unknown> & { tokensFile?: string }} spec autocannon options plus `tokensFile`
 */
export async function runAutocannon({ tokensFile, ...options }) {
  const list = tokensFile === undefined ? undefined : tokenList(tokensFile);
  const reusedBefore = list?.reused ?? 0;
  if (list) {
    options.requests = [
      {
        setupRequest: (/** @type {{ headers: Record<string, string> }} */ request) => {
          if (list.next >= list.tokens.length) list.reused += 1;
          request.headers.authorization = `Bearer ${list.tokens[list.next % list.tokens.length]}`;
          list.next += 1;
          return request;
        },
      },
    ];
  }
  const result = await autocannon({ ...options });
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    ...(list
      ? { tokensReused: list.reused - reusedBefore, tokensLeft: Math.max(0, list.tokens.length - list.next) }
      : {}),
  };
}

/** @param {string} file */
function tokenList(file) {
  let list = tokenLists.get(file);
  if (!list) {
    list = { tokens: JSON.parse(readFileSync(file, 'utf8')), next: 0, reused: 0 };
    tokenLists.set(file, list);
  }
  return list;
}
