// @ts-check
// Types shared by the scenarios, the table and the JSON output.

/**
 * @typedef {import('./bench-context.mjs').BenchContext & { profile: import('./bench-options.mjs').Profile,
 *   log: (line: string) => void }} ScenarioBench
 * @typedef {{ value: number | undefined, of: string }} Ratio
 * @typedef {{ subject: string, measurement?: import('./measure-subject.mjs').Measurement,
 *   latency?: { count: number, p50?: number, p99?: number, max?: number, failures?: number },
 *   unit?: string, ratios?: Ratio[], process?: 'auth-server' | 'resource-server', note?: string }} ResultRow
 * @typedef {{ rows: ResultRow[], figures: Record<string, number | undefined>, notes: string[],
 *   raw?: Record<string, unknown> }} ScenarioResult
 */

export {};
