// @ts-check
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/**
 * What the figures were measured on, for the header line and the JSON.
 * @param {{ pinning: import('./pinning.mjs').Pinning, mode: string, notes: string[], startedAt: Date }} run
 */
export function describeMachine({ pinning, mode, notes, startedAt }) {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    pinning: pinning.note,
    mode,
    date: startedAt.toISOString(),
    services: notes,
    threadPool: process.env.UV_THREADPOOL_SIZE
      ? `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}`
      : 'UV_THREADPOOL_SIZE unset (Node default 4)',
  };
}

/** @param {ReturnType<typeof describeMachine>} machine */
export function machineHeader(machine) {
  return [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGb} GB RAM, Node ${machine.node} (${machine.platform})`,
    `Run: ${machine.mode} mode, ${machine.date}, ${machine.pinning}, ${machine.threadPool}`,
    `Services (shared with whatever else runs here): ${machine.services.join('; ')}`,
  ].join('\n');
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // no procfs
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}
