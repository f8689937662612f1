import { describe, expect, it } from 'vitest';
import { occurrencesBetween } from '../../src/domain/recurrence.ts';
import { between, chain, iso, LONDON, MONDAY_1830, next, NY, SYDNEY } from './recurrence-support.ts';

// Weekly and daily series across the zones' offset changes (worked out in recurrence-support.ts),
// then a cross-check of every change of a few more zones against a minute-by-minute oracle.

describe('weekly series across DST changes', () => {
  it('New York Monday 18:30 moves from 22:30Z to 23:30Z when DST ends on 2026-11-01', () => {
    expect(next(MONDAY_1830, NY, '2026-10-20T00:00:00Z')).toBe('2026-10-26T22:30:00.000Z');
    expect(chain(MONDAY_1830, NY, '2026-10-20T00:00:00Z', 3)).toEqual([
      '2026-10-26T22:30:00.000Z', // 18:30 EDT
      '2026-11-02T23:30:00.000Z', // 18:30 EST
      '2026-11-09T23:30:00.000Z',
    ]);
  });

  it('New York Monday 18:30 moves from 23:30Z to 22:30Z when DST starts on 2026-03-08', () => {
    expect(chain(MONDAY_1830, NY, '2026-02-25T00:00:00Z', 2)).toEqual([
      '2026-03-02T23:30:00.000Z', // 18:30 EST
      '2026-03-09T22:30:00.000Z', // 18:30 EDT
    ]);
  });

  it('London Monday 18:30 follows BST ending on 2026-10-25 and starting on 2026-03-29', () => {
    expect(chain(MONDAY_1830, LONDON, '2026-10-13T00:00:00Z', 2)).toEqual([
      '2026-10-19T17:30:00.000Z', // 18:30 BST
      '2026-10-26T18:30:00.000Z', // 18:30 GMT
    ]);
    expect(chain(MONDAY_1830, LONDON, '2026-03-17T00:00:00Z', 2)).toEqual([
      '2026-03-23T18:30:00.000Z', // 18:30 GMT
      '2026-03-30T17:30:00.000Z', // 18:30 BST
    ]);
  });

  it('Sydney Monday 18:30 follows DST ending on 2026-04-05 and starting on 2026-10-04', () => {
    expect(chain(MONDAY_1830, SYDNEY, '2026-03-24T00:00:00Z', 2)).toEqual([
      '2026-03-30T07:30:00.000Z', // 18:30 AEDT (+11)
      '2026-04-06T08:30:00.000Z', // 18:30 AEST (+10)
    ]);
    expect(chain(MONDAY_1830, SYDNEY, '2026-09-22T00:00:00Z', 2)).toEqual([
      '2026-09-28T08:30:00.000Z', // 18:30 AEST
      '2026-10-05T07:30:00.000Z', // 18:30 AEDT
    ]);
  });

  it('an occurrence is strictly after `after`: at an occurrence it returns the following one', () => {
    expect(next(MONDAY_1830, NY, '2026-10-26T22:30:00.000Z')).toBe('2026-11-02T23:30:00.000Z');
    expect(next(MONDAY_1830, NY, '2026-10-26T22:29:59.999Z')).toBe('2026-10-26T22:30:00.000Z');
    expect(next(MONDAY_1830, NY, '2026-10-26T22:30:00.001Z')).toBe('2026-11-02T23:30:00.000Z');
  });

  it('uses the wall clock of the zone, not of the host or UTC, to pick the day', () => {
    // June in Sydney is AEST (+10): Monday 18:30 is Monday 08:30Z, and Tuesday 08:00 is
    // still Monday (22:00Z) in UTC.
    expect(next(MONDAY_1830, SYDNEY, '2026-06-01T08:00:00Z')).toBe('2026-06-01T08:30:00.000Z');
    expect(next(MONDAY_1830, SYDNEY, '2026-06-01T08:30:00Z')).toBe('2026-06-08T08:30:00.000Z');
    expect(next('0 8 * * 2', SYDNEY, '2026-06-01T21:00:00Z')).toBe('2026-06-01T22:00:00.000Z');
  });
});

describe('daily series on the DST change days', () => {
  it('spring-forward gap: 02:30 New York on 2026-03-08 fires once, at 03:30 EDT (07:30Z)', () => {
    // The whole local day of 2026-03-08: 05:00Z (00:00 EST) to 04:00Z next day (00:00 EDT).
    expect(between('30 2 * * *', NY, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toEqual(['2026-03-08T07:30:00.000Z']);
    expect(chain('30 2 * * *', NY, '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:30:00.000Z', // 02:30 does not exist: read as EST = 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('fall-back overlap: 01:30 New York on 2026-11-01 fires once, at the first (EDT) 01:30 = 05:30Z', () => {
    // The whole local day of 2026-11-01: 04:00Z (00:00 EDT) to 05:00Z next day (00:00 EST).
    expect(between('30 1 * * *', NY, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z']);
    // Right at the first 01:30, the repeat (01:30 EST = 06:30Z) is not an occurrence.
    expect(next('30 1 * * *', NY, '2026-11-01T05:30:00Z')).toBe('2026-11-02T06:30:00.000Z');
    // Even when asked from inside the repeated hour.
    expect(next('30 1 * * *', NY, '2026-11-01T06:10:00Z')).toBe('2026-11-02T06:30:00.000Z');
  });

  it('gap and overlap in London and Sydney follow the same rules', () => {
    // London: 01:30 is skipped on 2026-03-29 (-> 01:30 GMT = 02:30 BST) and repeated on 2026-10-25.
    expect(between('30 1 * * *', LONDON, '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z')).toEqual(['2026-03-29T01:30:00.000Z']);
    expect(between('30 1 * * *', LONDON, '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z')).toEqual(['2026-10-25T00:30:00.000Z']);
    // Sydney: 02:30 is repeated on 2026-04-05 (first copy AEDT: 15:30Z on the 4th) and skipped
    // on 2026-10-04 (read as AEST: 16:30Z on the 3rd, shown as 03:30 AEDT).
    expect(between('30 2 * * *', SYDNEY, '2026-04-04T13:00:00Z', '2026-04-05T14:00:00Z')).toEqual(['2026-04-04T15:30:00.000Z']);
    expect(between('30 2 * * *', SYDNEY, '2026-10-03T14:00:00Z', '2026-10-04T13:00:00Z')).toEqual(['2026-10-03T16:30:00.000Z']);
  });

  it('hourly series: the repeated hour adds nothing and the skipped hour lands on 03:00 EDT once', () => {
    // 00:00 EDT, 01:00 EDT, (01:00 EST skipped: repeat), 02:00 EST, 03:00 EST
    expect(between('0 * * * *', NY, '2026-11-01T04:00:00Z', '2026-11-01T09:00:00Z')).toEqual([
      '2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z',
    ]);
    // 00:00 EST, 01:00 EST, 02:00 (gap, = 03:00 EDT) and 03:00 EDT are the same instant, 04:00 EDT
    expect(between('0 * * * *', NY, '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z')).toEqual([
      '2026-03-08T05:00:00.000Z', '2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z',
    ]);
  });
});
// ---------------------------------------------------------------------------------------
// Cross-check against a brute-force oracle that walks real time minute by minute.

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The wall clock at instant `ms`, as milliseconds of a fictitious UTC timeline. */
function wallClock(ms: number, tz: string, cache: Map<string, Intl.DateTimeFormat>): number {
  let fmt = cache.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    cache.set(tz, fmt);
  }
  const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
}

/** Minute/hour fields only ("*", "a", "a-b", "/n", lists): enough for the oracle's expressions. */
function simpleFieldMatcher(field: string): (v: number, max: number) => boolean {
  return (v, max) => field.split(',').some((item) => {
    const [range = '', step = '1'] = item.split('/');
    const [lo, hi] = range === '*' ? [0, max] : range.includes('-') ? range.split('-').map(Number) as [number, number] : [Number(range), Number(range)];
    return v >= lo && v <= hi && (v - lo) % Number(step) === 0;
  });
}

/**
 * The instant each wall time in (roughly) [from, to) resolves to, found by walking real time
 * minute by minute over a wider window: the first instant showing the wall time, or, for a
 * wall time skipped by a jump forward, the wall time minus the offset just before the jump.
 */
function resolveByWalking(tz: string, from: number, to: number): Map<number, number> {
  const cache = new Map<string, Intl.DateTimeFormat>();
  const resolved = new Map<number, number>();
  let prevWall: number | null = null;
  let prevOffset = 0;
  for (let u = from - 12 * HOUR; u < to + 12 * HOUR; u += MINUTE) {
    const wall = wallClock(u, tz, cache);
    if (prevWall !== null) {
      for (let skipped = prevWall + MINUTE; skipped < wall; skipped += MINUTE) {
        if (!resolved.has(skipped)) resolved.set(skipped, skipped - prevOffset);
      }
    }
    if (!resolved.has(wall)) resolved.set(wall, u);
    prevWall = wall;
    prevOffset = wall - u;
  }
  return resolved;
}

/** Occurrences of "M H * * *" in [from, to) according to resolveByWalking. */
function oracle(expr: string, resolved: Map<number, number>, from: number, to: number): string[] {
  const [minuteField = '', hourField = ''] = expr.split(' ');
  const minuteOk = simpleFieldMatcher(minuteField);
  const hourOk = simpleFieldMatcher(hourField);
  const found = new Set<number>();
  for (const [wall, instant] of resolved) {
    const w = new Date(wall);
    if (instant >= from && instant < to && minuteOk(w.getUTCMinutes(), 59) && hourOk(w.getUTCHours(), 23)) found.add(instant);
  }
  return [...found].sort((a, b) => a - b).map((t) => new Date(t).toISOString());
}

/** Midnight UTC of each day on which the zone's offset at noon UTC differs from the day before. */
function changeDays(tz: string, year: number): number[] {
  const cache = new Map<string, Intl.DateTimeFormat>();
  const days: number[] = [];
  let prev: number | null = null;
  for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY) {
    const noon = day + 12 * HOUR;
    const offset = wallClock(noon, tz, cache) - noon;
    if (prev !== null && offset !== prev) days.push(day);
    prev = offset;
  }
  return days;
}

describe('agreement with a minute-by-minute oracle around every offset change', () => {
  const zones: [string, number][] = [
    [NY, 2026], [LONDON, 2026], [SYDNEY, 2026],
    ['Australia/Lord_Howe', 2026], // 30-minute DST
    ['America/Havana', 2026], // changes at local midnight
    ['America/Santiago', 2026], // changes at local midnight, repeated hour spans two dates
    ['Pacific/Chatham', 2026], // +13:45 / +12:45
    ['Africa/Casablanca', 2026], // clocks go back for Ramadan
    ['Pacific/Apia', 2011], // skipped 30 December 2011 entirely (-10 -> +14)
  ];
  const expressions = ['* * * * *', '30 2 * * *', '30 1 * * *', '0 0 * * *', '*/20 0-3 * * *', '45 23 * * *', '15,40 2 * * *'];

  it.each(zones)('%s %i', (tz, year) => {
    const days = changeDays(tz, year);
    expect(days.length).toBeGreaterThan(0);
    for (const day of days) {
      const from = day - 36 * HOUR;
      const to = day + 36 * HOUR;
      const resolved = resolveByWalking(tz, from, to);
      for (const expr of expressions) {
        const ours = occurrencesBetween(expr, tz, new Date(from), new Date(to)).map(iso);
        expect(ours, `${expr} around ${new Date(day).toISOString().slice(0, 10)}`).toEqual(oracle(expr, resolved, from, to));
      }
    }
  });
});
