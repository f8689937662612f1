/**
 * Recurrence: when does a series' next session start?
 *
 * A series stores a 5-field cron expression (minute hour day-of-month month day-of-week) and
 * an IANA timezone; the expression is read against the wall clock in that zone. This module
 * turns that into exact UTC instants. It is pure: time is always passed in (`after`), and
 * the only timezone machinery used is `Intl.DateTimeFormat` (no dependency, no node-cron:
 * node-cron 4.6.0 skips DST gap times, picks the later copy of a repeated hour in zones at or
 * east of UTC, and ANDs day-of-month with day-of-week; see test/live/node-cron-dst.test.ts).
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

import { CronSyntaxError, parseCronOrThrow, type ParsedCron } from './cron-syntax.ts';
import {
  DAY_MS, HOUR_MS, MAX_OFFSET_MS, MINUTE_MS, assertDate, assertTimezone, offsetAt, rawParts, resolveWallMs, wallMs,
} from './time-zone.ts';

export { validateCron, weeklyCron } from './cron-syntax.ts';
export { utcToZonedParts, validateTimezone, zonedWallTimeToUtc, type WallTime, type ZonedParts } from './time-zone.ts';

/** How far ahead (in local days) nextOccurrence looks before giving up: about four years. */
const SEARCH_DAYS = 4 * 366 + 2;

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
