// @ts-check
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const RSS_SAMPLE_MS = 250;
const clockTicks = (() => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(answer.stdout);
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** User + system CPU seconds `pid` has used so far (/proc/<pid>/stat utime+stime); undefined without procfs. */
export function cpuSeconds(/** @type {number} */ pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3 (state): utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** A /proc/<pid>/status size in MB (`VmRSS`, `VmHWM`); undefined when unreadable. */
export function statusMb(/** @type {number} */ pid, /** @type {'VmRSS' | 'VmHWM'} */ field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Samples `pid`'s resident size every 250 ms until `stop`, which answers the largest sample and the
 * kernel's high-water mark (VmHWM, the peak over the whole life of the process, start-up included).
 * @param {number} pid
 */
export function sampleRss(pid) {
  let peak = statusMb(pid, 'VmRSS') ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, statusMb(pid, 'VmRSS') ?? 0);
  }, RSS_SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, statusMb(pid, 'VmRSS') ?? 0);
      return { sampledPeakMb: peak, highWaterMb: statusMb(pid, 'VmHWM') };
    },
  };
}
