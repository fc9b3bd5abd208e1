// @ts-check

/** The q-quantile (nearest rank) of `values`; undefined when empty. @param {number[]} values @param {number} q */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The median, averaging the two middle values of an even count. @param {number[]} values */
export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const upper = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const lower = sorted[Math.ceil(sorted.length / 2) - 1] ?? 0;
  return (lower + upper) / 2;
}

/** Latency figures of raw samples in ms. @param {number[]} samples */
export function latencySummary(samples) {
  return {
    count: samples.length,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    max: samples.length === 0 ? undefined : Math.max(...samples),
  };
}

/** `value` rounded to `digits` decimals; undefined stays undefined. @param {number | undefined} value */
export function round(value, digits = 2) {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
