/**
 * What node-cron 4.6.0 actually does across DST changes (its issues #157 and #174).
 *
 * These tests pin node-cron's CURRENT behaviour, right or wrong. Where it is right they
 * assert agreement with our own recurrence.ts; where it misfires they assert the misfire
 * exactly, so that a node-cron upgrade that changes it fails here and tells us to revisit.
 *
 * How node-cron works (node_modules/node-cron/dist/_shared.js): TimeMatcher.getNextMatch
 * walks local dates in the task's timezone and, for each matching hour/minute, converts the
 * wall time to an instant with localTimeToTimestamp(): it guesses the offset in force at
 * the wall time read as if it were UTC, corrects once, and, if the wall time does not read
 * back, takes the later of its two candidates. It then keeps the candidate only if
 * TimeMatcher.match() (which formats the instant back into the zone) agrees. Consequences:
 *  - gap times (02:30 on a spring-forward night) never read back -> the day is skipped;
 *  - repeated times resolve to whichever copy the offset guess lands on: the first copy
 *    west of UTC (New York), the SECOND copy at or east of UTC (London, Sydney);
 *  - the Runner arms one setTimeout for the next match (capped at 24 h) and re-plans after
 *    each beat from getNextMatch(slot); a per-minute task in a DST zone jumps straight from
 *    the last minute before the repeated hour to the first minute after it.
 *  - TimeMatcher.match() ANDs day-of-month and day-of-week (standard cron ORs them).
 *  - The Runner's nowWithoutMs() does `new Date().setMilliseconds(0)`, which works in the
 *    HOST's local time: during the host's repeated hour it returns an instant one hour
 *    early. Whatever the task's timezone, node-cron then spins on 0 ms timeouts for that
 *    hour and reports every slot in it as missed (last test below).
 *
 * Everything runs on vitest's fake clock: getNextRuns() reads `new Date()`, and the Runner
 * uses setTimeout and `new Date()`, all of which vi.useFakeTimers({ now }) replaces. Because
 * of the last point the host zone matters, so each test pins process.env.TZ (Node applies a
 * change at once) and restores it afterwards.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import cron, { type Logger, type ScheduledTask } from 'node-cron';
import { nextOccurrence } from '../../src/domain/recurrence.ts';

const NY = 'America/New_York';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const tasks: ScheduledTask[] = [];
let hostZone: string | undefined;

beforeEach(() => {
  hostZone = process.env.TZ;
  process.env.TZ = 'UTC';
});

afterEach(async () => {
  for (const task of tasks.splice(0)) {
    await task.stop();
    await task.destroy();
  }
  vi.restoreAllMocks();
  vi.useRealTimers();
  if (hostZone === undefined) delete process.env.TZ;
  else process.env.TZ = hostZone;
});

/** A logger that keeps node-cron's warnings (e.g. "missed execution") instead of printing them. */
function quietLogger(warnings: string[]): Logger {
  return { info() {}, warn: (m) => { warnings.push(m); }, error: (m) => { warnings.push(String(m)); }, debug() {} };
}

/** node-cron's own computation: the next `count` runs of a task as seen at instant `now`. */
function nodeCronNextRuns(expr: string, timezone: string, now: string, count: number): string[] {
  vi.useFakeTimers({ now: new Date(now) });
  const task = cron.createTask(expr, () => {}, { timezone, logger: quietLogger([]) });
  tasks.push(task);
  return task.getNextRuns(count).map((d) => d.toISOString());
}

/** recurrence.ts: the first `count` occurrences after `after`. */
function ourNextRuns(expr: string, timezone: string, after: string, count: number): string[] {
  const out: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    cursor = nextOccurrence(expr, timezone, cursor);
    out.push(cursor.toISOString());
  }
  return out;
}

interface Firing {
  /** The scheduled slot node-cron passes to the task (context.date). */
  slot: string;
  /** The (fake) clock when the task function actually ran. */
  ranAt: string;
}

/** Really schedules the task and lets the fake clock run from `start` for `durationMs`. */
async function fire(expr: string, timezone: string, start: string, durationMs: number): Promise<{ firings: Firing[]; warnings: string[] }> {
  vi.useFakeTimers({ now: new Date(start) });
  const firings: Firing[] = [];
  const warnings: string[] = [];
  const task = cron.schedule(expr, (context) => {
    firings.push({ slot: context.date.toISOString(), ranAt: new Date(Date.now()).toISOString() });
  }, { timezone, logger: quietLogger(warnings) });
  tasks.push(task);
  await vi.advanceTimersByTimeAsync(durationMs);
  return { firings, warnings };
}

const slots = (firings: Firing[]) => firings.map((f) => f.slot);
const onTime = (firings: Firing[]) => firings.every((f) => f.slot === f.ranAt);

describe('node-cron 4.6.0: weekly Monday 18:30 New York series across DST changes (correct)', () => {
  it('fires 18:30 EDT then 18:30 EST across 2026-11-01, as recurrence.ts computes', async () => {
    const expected = ['2026-10-26T22:30:00.000Z', '2026-11-02T23:30:00.000Z'];
    expect(ourNextRuns('30 18 * * 1', NY, '2026-10-20T00:00:00Z', 2)).toEqual(expected);
    expect(nodeCronNextRuns('30 18 * * 1', NY, '2026-10-20T00:00:00Z', 2)).toEqual(expected);

    const { firings, warnings } = await fire('30 18 * * 1', NY, '2026-10-20T00:00:00Z', 14 * DAY);
    expect(slots(firings)).toEqual(expected);
    expect(onTime(firings)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('fires 18:30 EST then 18:30 EDT across 2026-03-08, as recurrence.ts computes', async () => {
    const expected = ['2026-03-02T23:30:00.000Z', '2026-03-09T22:30:00.000Z'];
    expect(ourNextRuns('30 18 * * 1', NY, '2026-02-25T00:00:00Z', 2)).toEqual(expected);
    expect(nodeCronNextRuns('30 18 * * 1', NY, '2026-02-25T00:00:00Z', 2)).toEqual(expected);

    const { firings, warnings } = await fire('30 18 * * 1', NY, '2026-02-25T00:00:00Z', 13 * DAY);
    expect(slots(firings)).toEqual(expected);
    expect(onTime(firings)).toBe(true);
    expect(warnings).toEqual([]);
  });
});

describe('node-cron 4.6.0: daily series on the change days', () => {
  it('MISFIRE: skips a gap time entirely (02:30 New York never fires on 2026-03-08)', async () => {
    // We fire once at 07:30Z (02:30 read as EST = 03:30 EDT). node-cron converts 02:30 to
    // 07:30Z too, but then TimeMatcher.match(07:30Z) sees 03:30 local, not 02:30, and
    // rejects it, so the walker moves on to 2026-03-09. Fix = a 07:30Z firing on the 8th.
    expect(ourNextRuns('30 2 * * *', NY, '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(nodeCronNextRuns('30 2 * * *', NY, '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);

    const { firings, warnings } = await fire('30 2 * * *', NY, '2026-03-07T12:00:00Z', 2 * DAY);
    expect(slots(firings)).toEqual(['2026-03-09T06:30:00.000Z']); // nothing on the 8th
    expect(onTime(firings)).toBe(true);
    expect(warnings).toEqual([]); // and it does not even report a missed execution
  });

  it('fires a repeated time once, at the first (EDT) copy, in New York on 2026-11-01 (correct)', async () => {
    const expected = ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'];
    expect(ourNextRuns('30 1 * * *', NY, '2026-10-31T12:00:00Z', 2)).toEqual(expected);
    expect(nodeCronNextRuns('30 1 * * *', NY, '2026-10-31T12:00:00Z', 2)).toEqual(expected);

    const { firings } = await fire('30 1 * * *', NY, '2026-10-31T12:00:00Z', 2 * DAY);
    expect(slots(firings)).toEqual(expected); // no second run at 06:30Z (01:30 EST)
    expect(onTime(firings)).toBe(true);
  });

  it('MISFIRE: picks the SECOND copy of a repeated time in zones at or east of UTC (London, Sydney)', async () => {
    // localTimeToTimestamp guesses the offset at "wall time read as UTC"; east of UTC that
    // instant is already past the change, so it lands on the later copy. Still once a day.
    // London 01:30 on 2026-10-25: ours 00:30Z (BST), node-cron 01:30Z (GMT).
    expect(ourNextRuns('30 1 * * *', 'Europe/London', '2026-10-24T12:00:00Z', 1)).toEqual(['2026-10-25T00:30:00.000Z']);
    expect(nodeCronNextRuns('30 1 * * *', 'Europe/London', '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // Sydney 02:30 on 2026-04-05: ours 15:30Z on the 4th (AEDT), node-cron 16:30Z (AEST).
    expect(ourNextRuns('30 2 * * *', 'Australia/Sydney', '2026-04-04T12:00:00Z', 1)).toEqual(['2026-04-04T15:30:00.000Z']);
    expect(nodeCronNextRuns('30 2 * * *', 'Australia/Sydney', '2026-04-04T12:00:00Z', 2)).toEqual(['2026-04-04T16:30:00.000Z', '2026-04-05T16:30:00.000Z']);

    const { firings } = await fire('30 1 * * *', 'Europe/London', '2026-10-24T12:00:00Z', DAY);
    expect(slots(firings)).toEqual(['2026-10-25T01:30:00.000Z']);
  });

  it('MISFIRE: ANDs day-of-month and day-of-week instead of ORing them', () => {
    // "0 12 13 * 5": standard cron = every 13th AND every Friday; node-cron = Friday the 13th only.
    expect(ourNextRuns('0 12 13 * 5', 'UTC', '2026-04-01T00:00:00Z', 3)).toEqual([
      '2026-04-03T12:00:00.000Z', '2026-04-10T12:00:00.000Z', '2026-04-13T12:00:00.000Z',
    ]);
    expect(nodeCronNextRuns('0 12 13 * 5', 'UTC', '2026-04-01T00:00:00Z', 2)).toEqual(['2026-11-13T12:00:00.000Z', '2027-08-13T12:00:00.000Z']);
  });
});

describe('node-cron 4.6.0: a per-minute tick ("* * * * *") across DST changes', () => {
  /** Gaps (in minutes) between consecutive firings, with the firing that ended each gap. */
  const gaps = (firings: Firing[]) =>
    firings.slice(1).map((f, i) => ({ after: firings[i]!.slot, minutes: (Date.parse(f.slot) - Date.parse(firings[i]!.slot)) / MINUTE }));

  it('with a New York timezone it ticks every real minute across the spring-forward change', async () => {
    // 05:00Z-09:00Z on 2026-03-08 = 00:00 EST-05:00 EDT; clocks jump at 07:00Z.
    const { firings, warnings } = await fire('* * * * *', NY, '2026-03-08T05:00:00Z', 4 * HOUR);
    expect(firings).toHaveLength(240);
    expect(gaps(firings).every((g) => g.minutes === 1)).toBe(true);
    expect(firings[0]!.slot).toBe('2026-03-08T05:01:00.000Z');
    expect(firings.at(-1)!.slot).toBe('2026-03-08T09:00:00.000Z');
    expect(onTime(firings)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('MISFIRE: with a New York timezone it goes silent for the 60 real minutes of the repeated hour', async () => {
    // 04:00Z-08:00Z on 2026-11-01: 00:00 EDT ... 01:59 EDT, then 01:00-01:59 EST (06:00Z-06:59Z),
    // then 02:00 EST. After 05:59Z (01:59 EDT) getNextMatch asks for local 02:00, which is
    // 07:00Z, so the whole EST copy of 01:xx gets no tick: 180 ticks in 240 minutes.
    const { firings, warnings } = await fire('* * * * *', NY, '2026-11-01T04:00:00Z', 4 * HOUR);
    expect(firings).toHaveLength(180);
    expect(gaps(firings).filter((g) => g.minutes !== 1)).toEqual([{ after: '2026-11-01T05:59:00.000Z', minutes: 61 }]);
    expect(slots(firings)).toContain('2026-11-01T07:00:00.000Z');
    expect(slots(firings).some((s) => s >= '2026-11-01T06:00' && s < '2026-11-01T07:00')).toBe(false);
    expect(new Set(slots(firings)).size).toBe(firings.length); // no double ticks either
    expect(onTime(firings)).toBe(true);
    expect(warnings).toEqual([]); // silently: no missed-execution warning
  });

  it('MISFIRE: with a London timezone it goes silent for the first (BST) copy of the repeated hour', async () => {
    // 2026-10-25: 00:59 BST is 23:59Z on the 24th; the next tick asked for is local 01:00,
    // which node-cron resolves to 01:00Z (the GMT copy), skipping 00:00Z-00:59Z.
    const { firings } = await fire('* * * * *', 'Europe/London', '2026-10-24T23:00:00Z', 3 * HOUR);
    expect(firings).toHaveLength(120);
    expect(gaps(firings).filter((g) => g.minutes !== 1)).toEqual([{ after: '2026-10-24T23:59:00.000Z', minutes: 61 }]);
  });

  it('with timezone UTC on a UTC host it ticks every real minute through both New York changes (how we should use it)', async () => {
    for (const start of ['2026-03-08T05:00:00Z', '2026-11-01T04:00:00Z']) {
      const { firings, warnings } = await fire('* * * * *', 'UTC', start, 4 * HOUR);
      expect(firings, start).toHaveLength(240);
      expect(gaps(firings).every((g) => g.minutes === 1), start).toBe(true);
      expect(onTime(firings)).toBe(true);
      expect(warnings).toEqual([]);
      for (const task of tasks.splice(0)) await task.destroy();
      vi.useRealTimers();
    }
  });

  it('MISFIRE: when the HOST zone falls back, even a UTC task spins for an hour and misses every slot in it', async () => {
    process.env.TZ = 'America/New_York'; // the machine's zone, not the task's
    // The cause, in plain JavaScript: setMilliseconds works on local time, and a repeated
    // local time resolves to its first copy, so 06:00:00.123Z (01:00 EST) becomes 05:00Z.
    const probe = new Date('2026-11-01T06:00:00.123Z');
    probe.setMilliseconds(0);
    expect(probe.toISOString()).toBe('2026-11-01T05:00:00.000Z');

    vi.useFakeTimers({ now: new Date('2026-11-01T05:58:00Z') });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const firings: Firing[] = [];
    const warnings: string[] = [];
    const task = cron.schedule('* * * * *', (context) => {
      firings.push({ slot: context.date.toISOString(), ranAt: new Date(Date.now()).toISOString() });
    }, { timezone: 'UTC', logger: quietLogger(warnings) });
    tasks.push(task);

    // At the 06:00Z slot the Runner thinks it is 05:00Z ("too early"), re-arms with
    // max(0, 06:00Z - real now) = 0 ms, and does so again every millisecond: 10 000
    // timeouts in 10 seconds, and no firing.
    await vi.advanceTimersByTimeAsync(2 * MINUTE + 10_000);
    expect(slots(firings)).toEqual(['2026-11-01T05:59:00.000Z']);
    expect(setTimeoutSpy.mock.calls.length).toBeGreaterThan(10_000);

    // It spins like that until 07:00Z (02:00 EST, no longer ambiguous). Jump there rather
    // than spin 3.6 million fake milliseconds: the 60 slots 06:00Z-06:59Z are then reported
    // as missed and only 07:00Z runs.
    vi.setSystemTime(new Date('2026-11-01T07:00:00Z'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(slots(firings)).toEqual(['2026-11-01T05:59:00.000Z', '2026-11-01T07:00:00.000Z']);
    expect(warnings).toHaveLength(60);
    expect(warnings.every((w) => w.startsWith('missed execution at'))).toBe(true);
  });
});
