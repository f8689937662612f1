/**
 * Time zones by Intl alone: what the wall clock shows at an instant, and which instant a
 * wall-clock time is (with the DST rules described in recurrence.ts). Pure.
 */

/** A wall-clock time in some zone. `month` is 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** What the wall clock in a zone shows at an instant. */
export interface ZonedParts extends WallTime {
  second: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
  /** UTC offset in force, in minutes east of UTC (New York in winter: -300). */
  offsetMinutes: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** No zone's offset has ever exceeded this (historic LMT offsets stay under 16 h). */
export const MAX_OFFSET_MS = 16 * HOUR_MS;

// ---------------------------------------------------------------------------------------
// Timezones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Null if `tz` is an IANA timezone known to Intl, else an error message naming it. */
export function validateTimezone(tz: string): string | null {
  if (typeof tz !== 'string' || tz.trim() === '') return 'timezone is empty (expected an IANA name such as "America/New_York")';
  try {
    formatterFor(tz);
    return null;
  } catch {
    return `unknown timezone "${tz}" (expected an IANA name such as "America/New_York")`;
  }
}

export function assertTimezone(tz: string): void {
  const problem = validateTimezone(tz);
  if (problem) throw new RangeError(problem);
}

/** The wall clock as milliseconds of a fictitious UTC timeline (handles years 0-99 too). */
export function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

interface RawParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

export function rawParts(ms: number, timezone: string): RawParts {
  const out: RawParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timezone).formatToParts(ms)) {
    switch (part.type) {
      case 'year': out.year = Number(part.value); break;
      case 'month': out.month = Number(part.value); break;
      case 'day': out.day = Number(part.value); break;
      case 'hour': out.hour = Number(part.value) % 24; break; // some ICU versions print 24 for midnight
      case 'minute': out.minute = Number(part.value); break;
      case 'second': out.second = Number(part.value); break;
      default: break;
    }
  }
  return out;
}

/** UTC offset (ms east of UTC) in force at instant `ms`. */
export function offsetAt(ms: number, timezone: string): number {
  const p = rawParts(ms, timezone);
  return wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

export function assertDate(date: Date, name: string): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`${name} must be a valid Date`);
}

/** What the wall clock shows in `timezone` at `date`. */
export function utcToZonedParts(date: Date, timezone: string): ZonedParts {
  assertDate(date, 'date');
  assertTimezone(timezone);
  const ms = date.getTime();
  const p = rawParts(ms, timezone);
  const local = wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    hour: p.hour,
    minute: p.minute,
    second: p.second,
    weekday: new Date(local).getUTCDay(),
    offsetMinutes: (local - Math.floor(ms / 1000) * 1000) / MINUTE_MS,
  };
}

/** Resolves a wall-clock time (as wallMs) to an instant; see the DST rules in the header. */
export function resolveWallMs(local: number, timezone: string): number {
  const before = offsetAt(local - DAY_MS, timezone);
  const after = offsetAt(local + DAY_MS, timezone);
  const first = local - before;
  if (first + offsetAt(first, timezone) === local) return first; // the only or the earlier one
  if (after !== before) {
    const second = local - after;
    if (second + offsetAt(second, timezone) === local) return second;
  }
  return first; // in a gap: read with the pre-transition offset
}

function assertWallTime(parts: WallTime): void {
  const { year, month, day, hour, minute } = parts;
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} ${String(value)} is out of range ${min}-${max}`);
    }
  };
  check('year', year, 1, 9999);
  check('month', month, 1, 12);
  check('day', day, 1, new Date(wallMs(year, month + 1, 0)).getUTCDate());
  check('hour', hour, 0, 23);
  check('minute', minute, 0, 59);
}

/**
 * The instant at which the wall clock in `timezone` shows `parts`. A time skipped by a
 * spring-forward change is read with the pre-transition offset (02:30 on 2026-03-08 in New
 * York -> 07:30Z, shown as 03:30 EDT); a time repeated by a fall-back change gives its
 * first, earlier occurrence (01:30 on 2026-11-01 in New York -> 05:30Z, 01:30 EDT).
 */
export function zonedWallTimeToUtc(parts: WallTime, timezone: string): Date {
  assertWallTime(parts);
  assertTimezone(timezone);
  return new Date(resolveWallMs(wallMs(parts.year, parts.month, parts.day, parts.hour, parts.minute), timezone));
}
