/** Shared by recurrence.test.ts and recurrence-dst.test.ts: the zones, a weekly rule and short ways to ask for occurrences as ISO strings. */
import { nextOccurrence, occurrencesBetween } from '../../src/domain/recurrence.ts';

// Expected instants in the recurrence tests were worked out from the zones' offsets, not copied from the code:
//   America/New_York  EST -05:00, EDT -04:00 from 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT)
//                     until 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST).
//   Europe/London     GMT +00:00, BST +01:00 from 2026-03-29 01:00Z until 2026-10-25 01:00Z.
//   Australia/Sydney  AEDT +11:00 until 2026-04-04 16:00Z (03:00 -> 02:00 AEST +10:00 on
//                     Sun 5 Apr), AEDT again from 2026-10-03 16:00Z (02:00 -> 03:00 on Sun 4 Oct).
// and checked with `new Date(x).toLocaleString('en-GB', { timeZone, timeZoneName: 'shortOffset' })`.

export const NY = 'America/New_York';
export const LONDON = 'Europe/London';
export const SYDNEY = 'Australia/Sydney';
export const MONDAY_1830 = '30 18 * * 1';

export const iso = (d: Date) => d.toISOString();
export const next = (expr: string, tz: string, after: string) => iso(nextOccurrence(expr, tz, new Date(after)));
/** The first `count` occurrences strictly after `after`, chained through nextOccurrence. */
export function chain(expr: string, tz: string, after: string, count: number): string[] {
  const out: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    cursor = nextOccurrence(expr, tz, cursor);
    out.push(iso(cursor));
  }
  return out;
}
export const between = (expr: string, tz: string, from: string, to: string) =>
  occurrencesBetween(expr, tz, new Date(from), new Date(to)).map(iso);
