import { UsageError } from '../cli-errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A date, or a date-time: `2025-01-31`, `2025-01-31T12:00Z`, `2025-01-31 12:00:00.5+02:00`. The zone is
 * optional here only so that a missing one gets its own error.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * `--since 2h`, `--since 7d` (that long before now) or an ISO 8601 date/time, as the ISO instant the API
 * filters on. A bare date is midnight UTC, as the API reads it. A time must carry `Z` or an offset: a zoneless
 * one would mean a different instant on every machine. Each field is range-checked, so 2025-02-30 is an error
 * rather than March 2nd.
 */
export function parseTimeBound(option: string, text: string, now: Date): string {
  const relative = /^(\d+)([smhdw])$/.exec(text);
  if (relative) {
    const instant = new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2] ?? ''] ?? 0));
    if (Number.isNaN(instant.getTime())) throw new UsageError(`--${option} ${text} is too far back`);
    return instant.toISOString();
  }
  const instant = parseIsoInstant(text);
  if (instant === 'no zone') {
    throw new UsageError(`--${option} ${text} needs Z or an offset (+02:00): the time zone is not guessed`);
  }
  if (instant === 'no such time') throw new UsageError(`--${option} ${text} is not a real date/time`);
  if (instant === null) {
    throw new UsageError(
      `--${option} must be a date (2025-01-31, UTC), a date-time with Z or an offset ` +
        `(2025-01-31T12:00:00Z, 2025-01-31T14:00+02:00) or an age like 2h, 7d`,
    );
  }
  return instant.toISOString();
}

/** null when it is not ISO 8601 at all. */
function parseIsoInstant(text: string): Date | 'no zone' | 'no such time' | null {
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  if (hour !== undefined && zulu === undefined && sign === undefined) return 'no zone';
  const offset =
    sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  if (Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59) return 'no such time';
  const fields = [year, month, day, hour, minute, second].map((field) => Number(field ?? 0)) as Fields;
  // setUTC* rather than Date.UTC, which reads the years 0-99 as 1900-1999.
  const wallClock = new Date(0);
  wallClock.setUTCFullYear(fields[0], fields[1] - 1, fields[2]);
  wallClock.setUTCHours(fields[3], fields[4], fields[5], Math.floor(Number(`0.${fraction ?? 0}`) * 1000));
  // Date rolls 02-30 over to 03-02 and 24:00 to the next day: only a value that reads back unchanged is real.
  const readBack: Fields = [
    wallClock.getUTCFullYear(),
    wallClock.getUTCMonth() + 1,
    wallClock.getUTCDate(),
    wallClock.getUTCHours(),
    wallClock.getUTCMinutes(),
    wallClock.getUTCSeconds(),
  ];
  if (readBack.some((value, index) => value !== fields[index])) return 'no such time';
  const instant = new Date(wallClock.getTime() - offset * 60_000);
  return Number.isNaN(instant.getTime()) ? 'no such time' : instant;
}

/** Year, month (1-12), day, hour, minute, second. */
type Fields = [number, number, number, number, number, number];
