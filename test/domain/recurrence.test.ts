import { describe, expect, it } from 'vitest';
import {
  nextOccurrence, occurrencesBetween, utcToZonedParts, validateCron, validateTimezone, weeklyCron, zonedWallTimeToUtc,
} from '../../src/domain/recurrence.ts';
import { between, chain, iso, LONDON, MONDAY_1830, next, NY, SYDNEY } from './recurrence-support.ts';

// Expected instants: see the zones' offsets in recurrence-support.ts. DST cases of the rules: recurrence-dst.test.ts.

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
