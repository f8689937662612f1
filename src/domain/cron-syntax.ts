/**
 * Cron syntax: parsing and validating the 5-field expressions a series stores (the accepted
 * syntax and the day rule are described in recurrence.ts), and building the weekly one.
 * Pure; no time zones here (time-zone.ts) and no search for instants (recurrence.ts).
 */
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

export interface ParsedCron {
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

export class CronSyntaxError extends Error {}

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

export function parseCronOrThrow(expr: string): ParsedCron {
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
