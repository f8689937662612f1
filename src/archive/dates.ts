/**
 * Dates and times as the archives write them: "Monday October 22, 2018", "6:30 PM EDT",
 * "Oct 22 @ 6:36 PM EDT". Archives name North American zones by abbreviation, which fixes
 * the UTC offset (EDT is always UTC-4), so no timezone database is needed here.
 */

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
] as const;

/** Offset from UTC in hours for each zone abbreviation the archives use. */
export const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0,
  EDT: -4, EST: -5,
  CDT: -5, CST: -6,
  MDT: -6, MST: -7,
  PDT: -7, PST: -8,
  AKDT: -8, AKST: -9,
  HST: -10,
};

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const WEEKDAY = `(${WEEKDAYS.join('|')})`;
const MONTH = `(${MONTHS.map((m) => m[0]!.toUpperCase() + m.slice(1)).join('|')})`;
const TIME = '(\\d{1,2}):(\\d{2})\\s*([AP]M)\\s+([A-Z]{2,4})';

/**
 * "Monday October 22, 2018", optionally followed on the same line by "6:30 PM EDT".
 * Groups: 1 weekday, 2 month, 3 day, 4 year, 5-8 hour, minute, AM/PM, zone.
 */
export const DATE_LINE = new RegExp(`^\\s*${WEEKDAY},?\\s+${MONTH}\\s+(\\d{1,2}),\\s*(\\d{4})(?:\\s+${TIME})?\\s*$`);
export const TIME_LINE = new RegExp(`^\\s*${TIME}\\s*$`);

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export interface ClockTime {
  hour: number; // 0-23
  minute: number;
  zone: string;
}

export function monthNumber(name: string): number | null {
  const lower = name.toLowerCase();
  const i = MONTHS.findIndex((m) => m === lower || m.slice(0, 3) === lower);
  return i < 0 ? null : i + 1;
}

/** Validates and converts "6:30", "PM", "EDT"; returns an error text or the time. */
export function readClockTime(h: string, m: string, ampm: string, zone: string): ClockTime | string {
  const hour12 = Number(h);
  const minute = Number(m);
  if (hour12 < 1 || hour12 > 12 || minute > 59) return `"${h}:${m} ${ampm}" is not a valid time`;
  if (!(zone in ZONE_OFFSETS)) {
    return `unknown time zone "${zone}" (known: ${Object.keys(ZONE_OFFSETS).join(', ')})`;
  }
  const hour = (hour12 % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  return { hour, minute, zone };
}

export function isRealDate({ year, month, day }: CalendarDate): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** The weekday a calendar date falls on, e.g. "Monday". */
export function weekdayOf({ year, month, day }: CalendarDate): string {
  return WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!;
}

/** "October 22, 2018". */
export function formatDate({ year, month, day }: CalendarDate): string {
  const name = MONTHS[month - 1]!;
  return `${name[0]!.toUpperCase()}${name.slice(1)} ${day}, ${year}`;
}

/** The UTC instant of a wall-clock time in a fixed-offset zone. */
export function toInstant(date: CalendarDate, time: ClockTime): Date {
  const offset = ZONE_OFFSETS[time.zone] ?? 0;
  return new Date(Date.UTC(date.year, date.month - 1, date.day, time.hour - offset, time.minute));
}

/**
 * Message headers carry month and day but no year: take the chat's year, and the next
 * one when the month is far behind the chat's (a chat on Dec 31 running past midnight).
 */
export function yearFor(month: number, chat: CalendarDate): number {
  return month < chat.month - 6 ? chat.year + 1 : chat.year;
}
