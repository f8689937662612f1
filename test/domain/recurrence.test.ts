import { describe, expect, it } from 'vitest';
import {
  nextOccurrence, occurrencesBetween, utcToZonedParts, validateCron, validateTimezone, weeklyCron, zonedWallTimeToUtc,
} from '../../src/domain/recurrence.ts';

// Expected instants below were worked out from the zones' offsets, not copied from the code:
//   America/New_York  EST -05:00, EDT -04:00 from 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT)
//                     until 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST).
//   Europe/London     GMT +00:00, BST +01:00 from 2026-03-29 01:00Z until 2026-10-25 01:00Z.
//   Australia/Sydney  AEDT +11:00 until 2026-04-04 16:00Z (03:00 -> 02:00 AEST +10:00 on
//                     Sun 5 Apr), AEDT again from 2026-10-03 16:00Z (02:00 -> 03:00 on Sun 4 Oct).
// and checked with `new Date(x).toLocaleString('en-GB', { timeZone, timeZoneName: 'shortOffset' })`.

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const SYDNEY = 'Australia/Sydney';
const MONDAY_1830 = '30 18 * * 1';

const iso = (d: Date) => d.toISOString();
const next = (expr: string, tz: string, after: string) => iso(nextOccurrence(expr, tz, new Date(after)));
/** The first `count` occurrences strictly after `after`, chained through nextOccurrence. */
function chain(expr: string, tz: string, after: string, count: number): string[] {
  const out: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    cursor = nextOccurrence(expr, tz, cursor);
    out.push(iso(cursor));
  }
  return out;
}
const between = (expr: string, tz: string, from: string, to: string) =>
  occurrencesBetween(expr, tz, new Date(from), new Date(to)).map(iso);

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

describe('cron syntax', () => {
  const utcDay = (expr: string, day = '2026-04-13') => between(expr, 'UTC', `${day}T00:00:00Z`, `${day}T23:59:59Z`).map((s) => s.slice(11, 16));

  it('steps over * and over ranges', () => {
    expect(utcDay('*/15 9 * * *')).toEqual(['09:00', '09:15', '09:30', '09:45']);
    expect(utcDay('10-30/5 9 * * *')).toEqual(['09:10', '09:15', '09:20', '09:25', '09:30']);
    expect(utcDay('0 */8 * * *')).toEqual(['00:00', '08:00', '16:00']);
    expect(utcDay('0 9-17/4 * * *')).toEqual(['09:00', '13:00', '17:00']);
    expect(utcDay('5,55 1,3 * * *')).toEqual(['01:05', '01:55', '03:05', '03:55']);
  });

  it('day and month names, case-insensitive, in lists, ranges and steps', () => {
    // 2026-04-13 is a Monday.
    const week = (expr: string) => between(expr, 'UTC', '2026-04-12T00:00:00Z', '2026-04-19T00:00:00Z').map((s) => s.slice(0, 10));
    expect(week('0 9 * * MON-FRI')).toEqual(['2026-04-13', '2026-04-14', '2026-04-15', '2026-04-16', '2026-04-17']);
    expect(week('0 9 * * mon,Wed,fri')).toEqual(['2026-04-13', '2026-04-15', '2026-04-17']);
    expect(week('0 9 * * MON-FRI/2')).toEqual(['2026-04-13', '2026-04-15', '2026-04-17']);
    expect(week('0 9 * * FRI-SUN')).toEqual(['2026-04-12', '2026-04-17', '2026-04-18']);
    expect(chain('0 0 1 jan,JUL *', 'UTC', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(chain('0 0 1 Mar-May/2 *', 'UTC', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-03-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z']);
  });

  it('day-of-week 0 and 7 both mean Sunday', () => {
    // 2026-04-19 is a Sunday.
    expect(next('0 12 * * 7', 'UTC', '2026-04-13T00:00:00Z')).toBe('2026-04-19T12:00:00.000Z');
    expect(next('0 12 * * 0', 'UTC', '2026-04-13T00:00:00Z')).toBe('2026-04-19T12:00:00.000Z');
    expect(next('0 12 * * SUN', 'UTC', '2026-04-13T00:00:00Z')).toBe('2026-04-19T12:00:00.000Z');
    expect(between('0 12 * * 0-7', 'UTC', '2026-04-13T00:00:00Z', '2026-04-20T00:00:00Z')).toHaveLength(7);
  });

  it('day-of-month and day-of-week both restricted: a day matches if EITHER matches', () => {
    // April 2026: Fridays are the 3rd, 10th, 17th, 24th; the 13th is a Monday.
    const april = (expr: string) => between(expr, 'UTC', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z').map((s) => Number(s.slice(8, 10)));
    expect(april('0 12 13 * 5')).toEqual([3, 10, 13, 17, 24]);
    expect(april('0 12 13 * *')).toEqual([13]);
    expect(april('0 12 * * 5')).toEqual([3, 10, 17, 24]);
    // Only a literal "*" is unrestricted: "*/10" restricts (1, 11, 21, 31), so OR applies.
    expect(april('0 12 */10 * FRI')).toEqual([1, 3, 10, 11, 17, 21, 24]);
    // Either rule still needs the month to match.
    expect(between('0 12 13 2 5', 'UTC', '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([]);
  });

  it('day 31 and February 29 only happen when they exist', () => {
    expect(chain('0 0 31 * *', 'UTC', '2026-01-31T00:00:00Z', 2)).toEqual(['2026-03-31T00:00:00.000Z', '2026-05-31T00:00:00.000Z']);
    expect(next('0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('validateCron', () => {
  it('accepts the supported syntax', () => {
    for (const expr of [
      '30 18 * * 1', '*/15 * * * *', '10-30/5 9-17 * * MON-FRI', '0 12 1,15 jan,Jul *', '0 0 * * 7', '0 0 * * 0-7',
      '0 0 * * sat-sun', '  0   0  * * *  ', '00 08 01 01 *', '0 0 31 2 1',
    ]) {
      expect(validateCron(expr), expr).toBeNull();
    }
  });

  it.each([
    ['61 * * * *', 'minute field "61" is out of range 0-59'],
    ['0 24 * * *', 'hour field "24" is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month field "0" is out of range 1-31'],
    ['0 0 32 * *', 'day-of-month field "32" is out of range 1-31'],
    ['0 0 * 13 *', 'month field "13" is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week field "8" is out of range 0-7'],
    ['0,61 * * * *', 'minute field "61" is out of range 0-59'],
    ['0 9-25 * * *', 'hour field "25" is out of range 0-23'],
  ])('names the field and the out-of-range value: %s', (expr, message) => {
    expect(validateCron(expr)).toBe(message);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['* * * *', /has 4 fields; expected 5 \(minute hour day-of-month month day-of-week\)/],
    ['0 0 0 * * *', /has 6 fields; expected 5/],
    ['@weekly', /has 1 field; expected 5/],
    ['0 0 * * FOO', /day-of-week field "FOO" is not a number \(0-7\) or a day name \(SUN\.\.SAT\)/],
    ['0 0 * FOO *', /month field "FOO" is not a number \(1-12\) or a month name/],
    ['0 0 * * JAN', /day-of-week field "JAN" is not/],
    ['x * * * *', /minute field "x" is not a number \(0-59\)/],
    ['-1 * * * *', /minute field "-1" is not a valid range/],
    ['*/0 * * * *', /minute field "\*\/0" has an invalid step "0"/],
    ['*/x * * * *', /invalid step "x"/],
    ['5/10 * * * *', /minute field "5\/10": a step needs "\*" or a range before "\/"/],
    ['0 5-1 * * *', /hour field "5-1" is a range whose start is greater than its end/],
    ['1,,2 * * * *', /minute field "1,,2" has an empty list entry/],
    ['0 0 L * *', /day-of-month field "L" is not a number/],
    ['0 0 ? * *', /day-of-month field "\?" is not a number/],
    ['0 0 31 2 *', /never matches: day-of-month "31" does not occur in month "2"/],
    ['0 0 31 APR,jun *', /never matches/],
  ])('explains what is wrong: %j', (expr, message) => {
    expect(validateCron(expr)).toMatch(message);
  });
});

describe('validateTimezone', () => {
  it('accepts IANA zones known to Intl', () => {
    for (const tz of [NY, LONDON, SYDNEY, 'UTC', 'Asia/Kolkata', 'Australia/Lord_Howe']) expect(validateTimezone(tz), tz).toBeNull();
  });

  it('rejects unknown zones, naming them', () => {
    expect(validateTimezone('Mars/Olympus_Mons')).toBe('unknown timezone "Mars/Olympus_Mons" (expected an IANA name such as "America/New_York")');
    expect(validateTimezone('America/NewYork')).toMatch(/"America\/NewYork"/);
    expect(validateTimezone('')).toMatch(/timezone is empty/);
  });
});

describe('nextOccurrence and occurrencesBetween input checks', () => {
  it('throw with the validation message on a bad expression or zone', () => {
    const after = new Date('2026-01-01T00:00:00Z');
    expect(() => nextOccurrence('61 * * * *', NY, after)).toThrow('minute field "61" is out of range 0-59');
    expect(() => nextOccurrence(MONDAY_1830, 'Mars/Olympus_Mons', after)).toThrow('unknown timezone "Mars/Olympus_Mons"');
    expect(() => nextOccurrence(MONDAY_1830, NY, new Date(Number.NaN))).toThrow('after must be a valid Date');
    expect(() => occurrencesBetween('* * * *', NY, after, after)).toThrow(/expected 5/);
  });

  it('throws "never matches" when nothing matches within four years', () => {
    // 2100 is not a leap year: after 2096 the next 29 February is in 2104.
    expect(() => nextOccurrence('0 0 29 2 *', 'UTC', new Date('2097-01-01T00:00:00Z'))).toThrow(/never matches in UTC within 4 years/);
  });

  it('occurrencesBetween is half-open [from, to) and guards against huge results', () => {
    expect(between(MONDAY_1830, NY, '2026-10-26T22:30:00Z', '2026-11-02T23:30:00Z')).toEqual(['2026-10-26T22:30:00.000Z']);
    expect(between(MONDAY_1830, NY, '2026-10-27T00:00:00Z', '2026-10-28T00:00:00Z')).toEqual([]);
    expect(() => occurrencesBetween('* * * * *', 'UTC', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 100)).toThrow(/more than 100 occurrences/);
  });

  it('walks days, not minutes: ten years of weekly sessions and a day of minutes are quick', () => {
    const started = performance.now();
    const sessions = occurrencesBetween(MONDAY_1830, NY, new Date('2026-01-01T00:00:00Z'), new Date('2036-01-01T00:00:00Z'));
    const minutes = occurrencesBetween('* * * * *', NY, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'));
    expect(sessions).toHaveLength(522);
    expect(minutes).toHaveLength(24 * 60 - 60); // the repeated hour is not repeated
    expect(performance.now() - started).toBeLessThan(1500); // ~50 ms on a laptop
  });
});

describe('zonedWallTimeToUtc and utcToZonedParts', () => {
  it('convert ordinary times both ways', () => {
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 7, day: 1, hour: 12, minute: 0 }, NY))).toBe('2026-07-01T16:00:00.000Z');
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 1, day: 15, hour: 9, minute: 5 }, 'Asia/Kolkata'))).toBe('2026-01-15T03:35:00.000Z');
    expect(utcToZonedParts(new Date('2026-11-02T23:30:00Z'), NY)).toEqual({
      year: 2026, month: 11, day: 2, hour: 18, minute: 30, second: 0, weekday: 1, offsetMinutes: -300,
    });
    expect(utcToZonedParts(new Date('2026-03-30T07:30:45Z'), SYDNEY)).toEqual({
      year: 2026, month: 3, day: 30, hour: 18, minute: 30, second: 45, weekday: 1, offsetMinutes: 660,
    });
  });

  it('read a time in a spring-forward gap with the pre-transition offset', () => {
    const gap = zonedWallTimeToUtc({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY);
    expect(iso(gap)).toBe('2026-03-08T07:30:00.000Z');
    expect(utcToZonedParts(gap, NY)).toMatchObject({ day: 8, hour: 3, minute: 30, offsetMinutes: -240 });
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }, LONDON))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 10, day: 4, hour: 2, minute: 30 }, SYDNEY))).toBe('2026-10-03T16:30:00.000Z');
  });

  it('pick the first occurrence of a repeated time', () => {
    const overlap = zonedWallTimeToUtc({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY);
    expect(iso(overlap)).toBe('2026-11-01T05:30:00.000Z');
    expect(utcToZonedParts(overlap, NY)).toMatchObject({ hour: 1, minute: 30, offsetMinutes: -240 });
    expect(utcToZonedParts(new Date('2026-11-01T06:30:00Z'), NY)).toMatchObject({ hour: 1, minute: 30, offsetMinutes: -300 });
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }, LONDON))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedWallTimeToUtc({ year: 2026, month: 4, day: 5, hour: 2, minute: 30 }, SYDNEY))).toBe('2026-04-04T15:30:00.000Z');
  });

  it('reject impossible wall times and unknown zones', () => {
    expect(() => zonedWallTimeToUtc({ year: 2026, month: 2, day: 29, hour: 0, minute: 0 }, NY)).toThrow('day 29 is out of range 1-28');
    expect(() => zonedWallTimeToUtc({ year: 2026, month: 1, day: 1, hour: 24, minute: 0 }, NY)).toThrow('hour 24 is out of range 0-23');
    expect(() => zonedWallTimeToUtc({ year: 2026, month: 1, day: 1, hour: 0, minute: 0.5 }, NY)).toThrow(/minute 0.5/);
    expect(() => utcToZonedParts(new Date('2026-01-01T00:00:00Z'), 'Nowhere/Town')).toThrow('unknown timezone "Nowhere/Town"');
  });
});

describe('weeklyCron', () => {
  it('builds the cron expression for a weekday and a time', () => {
    expect(weeklyCron(1, '18:30')).toBe('30 18 * * 1');
    expect(weeklyCron(0, '09:05')).toBe('5 9 * * 0');
    expect(weeklyCron(6, '0:00')).toBe('0 0 * * 6');
    expect(weeklyCron(3, '23:59')).toBe('59 23 * * 3');
    expect(validateCron(weeklyCron(5, '12:00'))).toBeNull();
  });

  it('rejects bad weekdays and times with clear errors', () => {
    expect(() => weeklyCron(7, '18:30')).toThrow('weekday must be an integer 0-6 (0 = Sunday), got 7');
    expect(() => weeklyCron(-1, '18:30')).toThrow(/weekday must be an integer 0-6/);
    expect(() => weeklyCron(1.5, '18:30')).toThrow(/weekday must be an integer 0-6/);
    expect(() => weeklyCron(1, '24:00')).toThrow('hour 24 in "24:00" is out of range 0-23');
    expect(() => weeklyCron(1, '18:60')).toThrow('minute 60 in "18:60" is out of range 0-59');
    expect(() => weeklyCron(1, '6pm')).toThrow('time must look like "HH:MM" (24-hour), got "6pm"');
    expect(() => weeklyCron(1, '18:3')).toThrow(/time must look like "HH:MM"/);
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
