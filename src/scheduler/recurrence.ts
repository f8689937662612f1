/**
 * Recurrence: when does a series' next session start?
 *
 * A series stores a 5-field cron expression (minute hour day-of-month month day-of-week) and
 * an IANA timezone; the expression is read against the wall clock in that zone. This module
 * turns that into exact UTC instants. It is pure: time is always passed in (`after`), and
 * the only timezone machinery used is `Intl.DateTimeFormat` (no dependency, no node-cron:
 * node-cron 4.6.0 skips DST gap times, picks the later copy of a repeated hour in zones at or
 * east of UTC, and ANDs day-of-month with day-of-week; see test/scheduler/node-cron-dst.test.ts).
 *
 * Cron syntax accepted (each field): `*`, a number, a name (JAN..DEC in the month field,
 * SUN..SAT in the day-of-week field, case-insensitive), a range `a-b` (a <= b), a step over
 * `*` or a range (`*`/15, `10-30/5`, `MON-FRI/2`), and comma lists of those. Day-of-week
 * takes 0-7, 0 and 7 both meaning Sunday. No seconds field, no `@weekly` nicknames, no
 * `L`/`W`/`#`/`?`. Day rule (as in Vixie cron): when both day-of-month and day-of-week are
 * restricted, a day matches if EITHER matches; a field counts as unrestricted only when it
 * is exactly `*` (so `*`/2 is restricted, unlike Vixie cron's first-character quirk).
 *
 * Occurrences are the instants obtained by resolving every matching wall-clock time
 * (local date + hour + minute) in the zone, with these DST rules:
 *
 *  - Spring-forward gap (the wall time does not exist, e.g. 02:30 on 2026-03-08 in
 *    America/New_York, where clocks jump 02:00 EST -> 03:00 EDT): the time is read with the
 *    offset in force BEFORE the transition, which lands the same distance past the gap:
 *    02:30 "EST" = 07:30Z = 03:30 EDT. So a daily 02:30 series still fires exactly once that
 *    day, at 03:30 local. (This is what Temporal's `disambiguation: 'compatible'` does.)
 *  - Fall-back overlap (the wall time happens twice, e.g. 01:30 on 2026-11-01 in
 *    America/New_York, 01:00-02:00 EDT then again 01:00-02:00 EST): the FIRST, earlier
 *    occurrence is used (01:30 EDT = 05:30Z) and the repeat is not an occurrence. A
 *    per-minute or hourly expression therefore has no occurrences during the repeated hour.
 *  - Several wall times resolving to the same instant count once (with "30 2,3 * * *" the
 *    gap day gives 02:30 -> 07:30Z and 03:30 -> 07:30Z: one occurrence). Occurrences are
 *    always returned in increasing instant order.
 *
 * Assumption: a zone changes its UTC offset at most once within any 3-day window (true of
 * current tz rules, including odd ones such as Lord Howe's 30-minute DST, midnight changes
 * in Havana and Santiago, Casablanca's Ramadan changes and Apia skipping 2011-12-30; the
 * tests cross-check those against a minute-by-minute walk).
 *
 * Efficiency: the search walks local calendar dates (pure date arithmetic, no Intl call for
 * days that do not match), and within a matching day only the expression's hours and
 * minutes. Each matching date costs three Intl calls to learn its UTC offset (about twenty
 * on the two transition days a year, to find the transition instant); this is cached per
 * zone and date. It gives up after about four years with an error saying the expression
 * never matches.
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

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** No zone's offset has ever exceeded this (historic LMT offsets stay under 16 h). */
const MAX_OFFSET_MS = 16 * HOUR_MS;
/** How far ahead (in local days) nextOccurrence looks before giving up: about four years. */
const SEARCH_DAYS = 4 * 366 + 2;

// ---------------------------------------------------------------------------------------
// Cron parsing and validation

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names accepted in this field, mapped to their value. */
  names?: Record<string, number>;
  nameKind?: string;
}

const MONTH_NAMES: Record<string, number> = {
  JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12,
};
const WEEKDAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameKind: 'month name (JAN..DEC)' },
  { name: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES, nameKind: 'day name (SUN..SAT)' },
];

/** Longest each month can be (February: 29, leap years). */
const MAX_DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface ParsedCron {
  /** Sorted ascending, no duplicates. */
  minutes: number[];
  hours: number[];
  /** Indexed by value: daysOfMonth[1..31], months[1..12], weekdays[0..6] (7 folded into 0). */
  daysOfMonth: boolean[];
  months: boolean[];
  weekdays: boolean[];
  domRestricted: boolean;
  dowRestricted: boolean;
}

class CronSyntaxError extends Error {}

function parseValue(token: string, spec: FieldSpec, fieldText: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      throw new CronSyntaxError(`${spec.name} field "${token}" is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  const upper = token.toUpperCase();
  if (spec.names && Object.hasOwn(spec.names, upper)) return spec.names[upper]!;
  const expected = spec.nameKind ? `a number (${spec.min}-${spec.max}) or a ${spec.nameKind}` : `a number (${spec.min}-${spec.max})`;
  const where = token === fieldText ? '' : ` (in "${fieldText}")`;
  throw new CronSyntaxError(`${spec.name} field "${token}"${where} is not ${expected}`);
}

/** Parses one field into the set of values it selects. */
function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronSyntaxError(`${spec.name} field "${text}" has an empty list entry`);
    const slash = item.split('/');
    if (slash.length > 2) throw new CronSyntaxError(`${spec.name} field "${item}" has more than one "/"`);
    const [base = '', stepText] = slash;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new CronSyntaxError(`${spec.name} field "${item}" has an invalid step "${stepText}" (must be a positive integer)`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      from = spec.min;
      to = spec.max;
    } else if (base.includes('-')) {
      const bounds = base.split('-');
      if (bounds.length !== 2 || bounds[0] === '' || bounds[1] === '') {
        throw new CronSyntaxError(`${spec.name} field "${item}" is not a valid range (expected start-end)`);
      }
      from = parseValue(bounds[0]!, spec, item);
      to = parseValue(bounds[1]!, spec, item);
      // SUN is 0 as a name, but "FRI-SUN" clearly means 5-7.
      if (spec.name === 'day-of-week' && to === 0 && from > 0 && /^sun$/i.test(bounds[1]!)) to = 7;
      if (from > to) {
        throw new CronSyntaxError(`${spec.name} field "${item}" is a range whose start is greater than its end`);
      }
    } else {
      if (stepText !== undefined) {
        throw new CronSyntaxError(`${spec.name} field "${item}": a step needs "*" or a range before "/" (e.g. "*/${stepText}")`);
      }
      from = to = parseValue(base, spec, item);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function toFlags(values: Set<number>, size: number): boolean[] {
  const flags = new Array<boolean>(size).fill(false);
  for (const v of values) flags[v] = true;
  return flags;
}

function parseCronOrThrow(expr: string): ParsedCron {
  if (typeof expr !== 'string') throw new CronSyntaxError('cron expression must be a string');
  const trimmed = expr.trim();
  if (trimmed === '') throw new CronSyntaxError('cron expression is empty');
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError(
      `cron expression "${trimmed}" has ${parts.length} field${parts.length === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week)`,
    );
  }
  const sets = parts.map((text, i) => parseField(text, FIELDS[i]!));
  const [minutes, hours, doms, months, dows] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dows.delete(7)) dows.add(0);

  const parsed: ParsedCron = {
    minutes: [...minutes].sort((a, b) => a - b),
    hours: [...hours].sort((a, b) => a - b),
    daysOfMonth: toFlags(doms, 32),
    months: toFlags(months, 13),
    weekdays: toFlags(dows, 7),
    domRestricted: parts[2] !== '*',
    dowRestricted: parts[4] !== '*',
  };
  // With day-of-week unrestricted only day-of-month decides: "0 0 30 2 *" can never happen.
  if (parsed.domRestricted && !parsed.dowRestricted) {
    const possible = [...months].some((m) => [...doms].some((d) => d <= MAX_DAYS_IN_MONTH[m]!));
    if (!possible) {
      throw new CronSyntaxError(
        `cron expression "${trimmed}" never matches: day-of-month "${parts[2]}" does not occur in month "${parts[3]}"`,
      );
    }
  }
  return parsed;
}

/** Null if `expr` is a valid 5-field cron expression (see the module header), else why not. */
export function validateCron(expr: string): string | null {
  try {
    parseCronOrThrow(expr);
    return null;
  } catch (error) {
    if (error instanceof CronSyntaxError) return error.message;
    throw error;
  }
}

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

function assertTimezone(tz: string): void {
  const problem = validateTimezone(tz);
  if (problem) throw new RangeError(problem);
}

/** The wall clock as milliseconds of a fictitious UTC timeline (handles years 0-99 too). */
function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

interface RawParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

function rawParts(ms: number, timezone: string): RawParts {
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
function offsetAt(ms: number, timezone: string): number {
  const p = rawParts(ms, timezone);
  return wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

function assertDate(date: Date, name: string): void {
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
function resolveWallMs(local: number, timezone: string): number {
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

// ---------------------------------------------------------------------------------------
// Occurrences

function dayMatches(cron: ParsedCron, year: number, month: number, day: number, weekday: number): boolean {
  if (!cron.months[month]) return false;
  const dom = cron.daysOfMonth[day] === true;
  const dow = cron.weekdays[weekday] === true;
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow; // the unrestricted one is all true
}

/**
 * How the wall times of one local date map to instants: one offset all day, or one
 * transition (from offset `before` to `after` at instant `at`), or something stranger
 * (two transitions close together: resolved time by time with resolveWallMs).
 */
type DayInfo =
  | { kind: 'uniform'; offset: number }
  | { kind: 'transition'; before: number; after: number; at: number }
  | { kind: 'irregular'; minOffset: number; maxOffset: number };

const dayInfoCache = new Map<string, DayInfo>();

function dayInfo(dayStart: number, timezone: string): DayInfo {
  const key = `${timezone}|${dayStart}`;
  let info = dayInfoCache.get(key);
  if (!info) {
    info = computeDayInfo(dayStart, timezone);
    if (dayInfoCache.size >= 4096) dayInfoCache.clear();
    dayInfoCache.set(key, info);
  }
  return info;
}

function computeDayInfo(dayStart: number, timezone: string): DayInfo {
  const lastWall = dayStart + DAY_MS - MINUTE_MS;
  const guess = offsetAt(dayStart, timezone);
  const atStart = offsetAt(dayStart - guess, timezone);
  const atEnd = offsetAt(lastWall - guess, timezone);
  if (atStart === guess && atEnd === guess) return { kind: 'uniform', offset: guess };
  // Every instant this date's wall times can resolve to lies between these two.
  let lo = dayStart - MAX_OFFSET_MS;
  let hi = lastWall + MAX_OFFSET_MS;
  const before = offsetAt(lo, timezone);
  const after = offsetAt(hi, timezone);
  if (before !== after) {
    // Binary search (to the second) for the first instant with the new offset.
    lo = Math.floor(lo / 1000) * 1000;
    hi = Math.ceil(hi / 1000) * 1000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(mid, timezone) === before) lo = mid;
      else hi = mid;
    }
    return { kind: 'transition', before, after, at: hi };
  }
  const all = [guess, atStart, atEnd, before];
  return { kind: 'irregular', minOffset: Math.min(...all), maxOffset: Math.max(...all) };
}

/** resolveWallMs for a wall time of a date described by `info`. */
function resolveOnDay(wall: number, info: DayInfo, timezone: string): number {
  switch (info.kind) {
    case 'uniform':
      return wall - info.offset;
    case 'transition': {
      const early = wall - info.before;
      if (early < info.at) return early; // valid before the change (the first copy in an overlap)
      const late = wall - info.after;
      if (late >= info.at) return late; // valid after the change
      return early; // in the gap: read with the pre-transition offset
    }
    case 'irregular':
      return resolveWallMs(wall, timezone);
  }
}

/**
 * The earliest occurrence resolved from local date `dayStart` (a wallMs at 00:00) that is
 * later than `afterMs` and earlier than `bestMs` (the best found so far), or null.
 */
function earliestOnDay(cron: ParsedCron, timezone: string, dayStart: number, afterMs: number, bestMs: number | null): number | null {
  const info = dayInfo(dayStart, timezone);
  const [minOffset, maxOffset] =
    info.kind === 'uniform' ? [info.offset, info.offset]
    : info.kind === 'transition' ? [Math.min(info.before, info.after), Math.max(info.before, info.after)]
    : [info.minOffset, info.maxOffset];
  // A wall time w resolves to an instant in [w - maxOffset, w - minOffset]. On a transition
  // day gap times resolve later than the wall times just after the gap, so keep the minimum
  // until the wall clock is too far on for anything earlier to come.
  let best = bestMs;
  let found: number | null = null;
  for (const hour of cron.hours) {
    if (dayStart + (hour + 1) * HOUR_MS - minOffset <= afterMs) continue;
    for (const minute of cron.minutes) {
      const wall = dayStart + hour * HOUR_MS + minute * MINUTE_MS;
      if (wall - minOffset <= afterMs) continue;
      if (best !== null && wall - maxOffset >= best) return found;
      const at = resolveOnDay(wall, info, timezone);
      if (at > afterMs && (best === null || at < best)) best = found = at;
    }
  }
  return found;
}

/** The first occurrence later than `afterMs` and not later than `limitMs`, or null. */
function nextAfter(cron: ParsedCron, timezone: string, afterMs: number, limitMs: number): number | null {
  const local = rawParts(afterMs, timezone);
  // Start one local day early: a gap time late on the previous date resolves past midnight.
  let dayStart = wallMs(local.year, local.month, local.day) - DAY_MS;
  let best: number | null = null;
  for (let i = 0; i < SEARCH_DAYS; i++, dayStart += DAY_MS) {
    const earliestPossible = dayStart - MAX_OFFSET_MS;
    if ((best !== null && earliestPossible >= best) || earliestPossible > limitMs) break;
    const date = new Date(dayStart);
    if (!dayMatches(cron, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay())) continue;
    const found = earliestOnDay(cron, timezone, dayStart, afterMs, best);
    if (found !== null) best = found;
  }
  return best !== null && best <= limitMs ? best : null;
}

function prepare(expr: string, timezone: string): ParsedCron {
  let cron: ParsedCron;
  try {
    cron = parseCronOrThrow(expr);
  } catch (error) {
    if (error instanceof CronSyntaxError) throw new RangeError(error.message);
    throw error;
  }
  assertTimezone(timezone);
  return cron;
}

/**
 * The first instant strictly after `after` at which `expr` matches the wall clock in
 * `timezone` (DST rules in the module header). Throws on an invalid expression or zone, and
 * when nothing matches within about four years.
 */
export function nextOccurrence(expr: string, timezone: string, after: Date): Date {
  const cron = prepare(expr, timezone);
  assertDate(after, 'after');
  const afterMs = after.getTime();
  const next = nextAfter(cron, timezone, afterMs, Number.POSITIVE_INFINITY);
  if (next === null) {
    throw new Error(`cron expression "${expr}" never matches in ${timezone} within 4 years after ${after.toISOString()}`);
  }
  return new Date(next);
}

/**
 * Every occurrence `t` with `from <= t < to`, in increasing order. Throws if there would be
 * more than `limit` of them (a guard against "* * * * *" over a year).
 */
export function occurrencesBetween(expr: string, timezone: string, from: Date, to: Date, limit = 10_000): Date[] {
  const cron = prepare(expr, timezone);
  assertDate(from, 'from');
  assertDate(to, 'to');
  const out: Date[] = [];
  const toMs = to.getTime();
  let cursor = from.getTime() - 1;
  for (;;) {
    const next = nextAfter(cron, timezone, cursor, toMs - 1);
    if (next === null) return out;
    if (out.length >= limit) {
      throw new RangeError(`more than ${limit} occurrences of "${expr}" between ${from.toISOString()} and ${to.toISOString()}`);
    }
    out.push(new Date(next));
    cursor = next;
  }
}

/**
 * The cron expression for a weekly session: weekday 0-6 (0 = Sunday) at "HH:MM" (24-hour,
 * "9:05" accepted too). weeklyCron(1, "18:30") === "30 18 * * 1".
 */
export function weeklyCron(weekday: number, time: string): string {
  if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6) {
    throw new RangeError(`weekday must be an integer 0-6 (0 = Sunday), got ${String(weekday)}`);
  }
  const match = typeof time === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(time.trim()) : null;
  if (!match) throw new RangeError(`time must look like "HH:MM" (24-hour), got ${JSON.stringify(time)}`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23) throw new RangeError(`hour ${hour} in "${time}" is out of range 0-23`);
  if (minute > 59) throw new RangeError(`minute ${minute} in "${time}" is out of range 0-59`);
  return `${minute} ${hour} * * ${weekday}`;
}
