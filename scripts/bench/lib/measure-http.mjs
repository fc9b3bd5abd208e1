// @ts-check
import { loadFigures, measureSubject } from './measure-subject.mjs';

/**
 * @typedef {{ method?: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string,
 *   connections: number, requests?: Record<string, unknown>[], tokensFile?: string }} HttpLoad
 * @typedef {{ profile: import('./bench-options.mjs').Profile, log: (line: string) => void }} MeasureBench
 */

/**
 * One request first (a misconfigured subject fails the run with its answer and log tail instead of
 * filling a row with errors), then a warm-up and the profile's repetitions of an autocannon run.
 * `amounts` sizes the runs by request count instead of duration (a token list that must not run out).
 * @param {{ bench: MeasureBench, worker: ReturnType<typeof import('./load-client.mjs').startLoadWorker>,
 *   server: { url: string, pid: number, logTail: () => string }, label: string, load: HttpLoad,
 *   preflightHeaders?: Record<string, string>, amounts?: { warmup: number, rep: number, timeoutSeconds: number } }} options
 */
export async function measureHttp({ bench, worker, server, label, load, preflightHeaders, amounts }) {
  const { profile, log } = bench;
  await preflight(server, label, load, preflightHeaders);
  const { path, tokensFile, ...request } = load;
  /** @param {number} seconds @param {number | undefined} amount */
  const run = async (seconds, amount) => {
    const spec = {
      load: {
        ...request,
        url: `${server.url}${path}`,
        ...(amount === undefined ? { duration: seconds } : { amount }),
        ...(tokensFile === undefined ? {} : { tokensFile }),
      },
    };
    const result = await worker.run(
      spec,
      amount === undefined ? seconds : (amounts?.timeoutSeconds ?? seconds),
    );
    return loadFigures(result.load);
  };
  log(`  ${label}`);
  return measureSubject({
    label,
    pid: server.pid,
    reps: profile.reps,
    warmup: () => run(profile.warmupSeconds, amounts?.warmup),
    rep: () => run(profile.seconds, amounts?.rep),
    log,
  });
}

/**
 * @param {{ url: string, logTail: () => string }} server @param {string} label @param {HttpLoad} load
 * @param {Record<string, string> | undefined} headers
 */
async function preflight(server, label, load, headers) {
  const answer = await fetch(`${server.url}${load.path}`, {
    method: load.method ?? 'GET',
    headers: { ...load.headers, ...headers },
    body: load.body,
    signal: AbortSignal.timeout(10_000),
  }).catch((error) => ({ status: 0, text: async () => String(error) }));
  if (answer.status >= 200 && answer.status < 300) return;
  const body = (await answer.text()).slice(0, 300);
  throw new Error(`${label}: the first request answered ${answer.status} ${body}\n${server.logTail()}`);
}
