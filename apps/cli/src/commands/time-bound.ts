import { UsageError } from '../cli-errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since 2h`, `--since 7d` (that long before now) or an ISO 8601 date/time, as the ISO instant the API
 * filters on. A bare date is midnight UTC.
 */
export function parseTimeBound(option: string, text: string, now: Date): string {
  const relative = /^(\d+)([smhdw])$/.exec(text);
  if (relative) {
    return new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2] ?? ''] ?? 0)).toISOString();
  }
  const isoLike = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text);
  const time = Date.parse(text);
  if (!isoLike || Number.isNaN(time)) {
    throw new UsageError(
      `--${option} must be an ISO date/time (2025-01-31, 2025-01-31T12:00:00Z) or an age like 2h, 7d`,
    );
  }
  return new Date(time).toISOString();
}
