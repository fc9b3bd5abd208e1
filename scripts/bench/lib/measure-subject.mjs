// @ts-check
import { cpuSeconds, sampleRss } from './process-stats.mjs';
import { median, round } from './stats.mjs';

/**
 * @typedef {{ rps: number, p50?: number, p99?: number, non2xx: number, errors: number,
 *   [detail: string]: unknown }} RunFigures
 * @typedef {{ rps: number, rpsMin: number, rpsMax: number, p50?: number, p99?: number, cpuPercent?: number,
 *   rssMb?: number, rssHighWaterMb?: number, non2xx: number, errors: number, runs: (RunFigures & { cpuPercent?: number })[] }} Measurement
 */

/**
 * A warm-up (discarded), then `reps` repetitions of `rep`, each with the server's CPU use over exactly its
 * window (utime+stime of `pid`, 100 % = one core); the server's resident size is sampled throughout.
 * Figures: median req/s with min-max, medians of the repetitions' p50 and p99, summed errors, the peak
 * RSS sampled from warm-up to the end (under load), and VmHWM (the whole life, start-up included).
 * @param {{ label: string, pid: number | undefined, reps: number, warmup?: () => Promise<unknown>,
 *   rep: (index: number) => Promise<RunFigures>, log: (line: string) => void }} options
 * @returns {Promise<Measurement>}
 */
export async function measureSubject({ label, pid, reps, warmup, rep, log }) {
  const rss = pid === undefined ? undefined : sampleRss(pid);
  try {
    if (warmup) await warmup();
    /** @type {Measurement['runs']} */
    const runs = [];
    for (let index = 0; index < reps; index += 1) {
      const cpuBefore = pid === undefined ? undefined : cpuSeconds(pid);
      const started = performance.now();
      const figures = await rep(index);
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = pid === undefined ? undefined : cpuSeconds(pid);
      const cpuPercent =
        cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : ((cpuAfter - cpuBefore) / seconds) * 100;
      runs.push({ ...figures, cpuPercent: round(cpuPercent, 1) });
      log(`    ${label}: repetition ${index + 1}/${reps}: ${Math.round(figures.rps)} req/s`);
    }
    const memory = rss?.stop();
    const rates = runs.map((run) => run.rps);
    const defined = (/** @type {(number | undefined)[]} */ values) =>
      /** @type {number[]} */ (values.filter((value) => value !== undefined));
    return {
      rps: median(rates) ?? 0,
      rpsMin: Math.min(...rates),
      rpsMax: Math.max(...rates),
      p50: median(defined(runs.map((run) => run.p50))),
      p99: median(defined(runs.map((run) => run.p99))),
      cpuPercent: round(median(defined(runs.map((run) => run.cpuPercent))), 1),
      rssMb: round(memory?.sampledPeakMb, 1),
      rssHighWaterMb: round(memory?.highWaterMb, 1),
      non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      runs,
    };
  } finally {
    rss?.stop();
  }
}

/** The figures of one autocannon result as measureSubject wants them. @param {any} load @returns {RunFigures} */
export function loadFigures(load) {
  return { ...load, errors: (load.errors ?? 0) + (load.timeouts ?? 0) };
}
