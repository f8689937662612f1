/**
 * How the scheduler's work grows (issue 13), without Discord: the engine and the planner on
 * an on-disk SQLite store, on a manual clock.
 *
 * - planning: SeriesPlanner.planUpcoming plans the next session (a week ahead at most) of
 *   N weekly series, each in its own transaction as the bot does it, on a fresh database:
 *   N = 1,000, then N = 10,000 (BENCH_QUICK: 100 and 1,000). Target: the second ≤ 12× the
 *   first (linear).
 * - engine cycle: one SessionEngine cycle (kick, with its planning pass) over a database
 *   with SERIES weekly series and their planned sessions, LIVE running sessions with nothing
 *   due, and nothing finished; then the same after 100,000 finished prompts (posted, of
 *   ended sessions) are added. Median of CYCLES cycles each. Target: with ≤ 1.2× without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ManualClock } from '../src/domain/clock.ts';
import type { Series } from '../src/domain/series.ts';
import { planSession } from '../src/domain/timetable.ts';
import { SessionEngine } from '../src/live/engine.ts';
import { persistSession } from '../src/live/persist.ts';
import { SeriesPlanner } from '../src/live/planner.ts';
import type { Timers } from '../src/live/timers.ts';
import { MemoryPlatform } from '../src/platform/memory.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { percentile, progress, QUICK, silentLog } from './lib.ts';

export const SCHEDULER_SCALE = {
  PLAN_SMALL: QUICK ? 100 : 1_000,
  PLAN_LARGE: QUICK ? 1_000 : 10_000,
  SERIES: QUICK ? 100 : 1_000,
  LIVE: 50,
  FINISHED_PROMPTS: QUICK ? 10_000 : 100_000,
  CYCLES: QUICK ? 50 : 200,
};

export interface SchedulerScaleFigures {
  planSmallS: number;
  planLargeS: number;
  cycleEmptyMs: number;
  cycleFinishedMs: number;
  cycleEmptyP90Ms: number;
  cycleFinishedP90Ms: number;
}

const START = new Date('2026-11-23T12:00:00Z');
const noTimers: Timers = { setTimeout: () => null, clearTimeout: () => {} };

async function withSeries(store: Store, n: number, channelPrefix: string): Promise<number> {
  const set = await store.bank.create({ title: 'bench', source: 'moderator', questions: ['One?', 'Two?', 'Three?', 'Four?'] });
  await store.transaction(async () => {
    for (let i = 0; i < n; i++) {
      // Guild ids spread like snowflakes; every series weekly, on days and hours spread over the week.
      await store.series.saveForChannel({
        guildId: String(1_000_000 + Math.floor(i / 10)), channelId: `${channelPrefix}${i}`, tag: `#Chat${i}`, timezone: 'UTC',
        schedule: `${i % 60} ${i % 24} * * ${i % 7}`, settings: { questionSetId: set.id },
      });
    }
  });
  return set.id;
}

async function timePlanning(n: number): Promise<number> {
  const dir = mkdtempSync(`${tmpdir()}/emcee-bench-plan-`);
  const clock = new ManualClock(START);
  const store = openStore(`${dir}/plan.sqlite`, clock);
  try {
    await withSeries(store, n, 'c');
    const t0 = performance.now();
    const planned = await new SeriesPlanner({ store, log: silentLog }).planUpcoming(clock.now());
    const s = (performance.now() - t0) / 1000;
    if (planned.length !== n) throw new Error(`planning: ${planned.length} sessions planned for ${n} series`);
    return s;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Adds ended sessions of the past, one an hour back from START, every prompt posted, until
 * there are at least `count` finished prompts; returns how many prompts it wrote. One
 * transaction; each session and prompt is written as it ends up (sessions.create ended,
 * prompts.create posted) rather than planned, posted one by one and ended: the same rows
 * in half the store calls (the seeding is not what is measured; the cycle after it is).
 */
async function addFinishedPrompts(store: Store, series: Series, setId: number, count: number): Promise<number> {
  const questions = ['One?', 'Two?', 'Three?', 'Four?'];
  return store.transaction(async (tx) => {
    let made = 0;
    for (let i = 0; made < count; i++) {
      const startsAt = new Date(START.getTime() - (i + 1) * 3_600_000);
      const endedAt = new Date(startsAt.getTime() + 45 * 60_000);
      const session = await tx.sessions.create({ seriesId: series.id, questionSetId: setId, state: 'ended', startsAt, endedAt, source: 'live', channelId: series.channelId });
      for (const p of planSession({ settings: series.settings, tag: series.tag, questions, startsAt })) {
        await tx.prompts.create({ sessionId: session.id, ...p, state: 'posted', postedAt: p.plannedAt, messageId: `p${made++}` });
      }
    }
    return made;
  });
}

async function timeCycles(engine: SessionEngine, cycles: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const t0 = performance.now();
    await engine.kick();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export async function runSchedulerScale(): Promise<SchedulerScaleFigures> {
  const { PLAN_SMALL, PLAN_LARGE, SERIES, LIVE, FINISHED_PROMPTS, CYCLES } = SCHEDULER_SCALE;
  const planSmallS = await timePlanning(PLAN_SMALL);
  progress('scheduler-scale', `planned ${PLAN_SMALL} series in ${planSmallS.toFixed(2)} s`);
  const planLargeS = await timePlanning(PLAN_LARGE);
  progress('scheduler-scale', `planned ${PLAN_LARGE} series in ${planLargeS.toFixed(2)} s`);

  const dir = mkdtempSync(`${tmpdir()}/emcee-bench-cycle-`);
  const clock = new ManualClock(START);
  const store = openStore(`${dir}/cycle.sqlite`, clock);
  try {
    const setId = await withSeries(store, SERIES, 'c');
    const planner = new SeriesPlanner({ store, log: silentLog });
    await planner.planUpcoming(clock.now());
    // Live sessions that started 3 minutes ago: welcome posted, the next prompt minutes away.
    const live = await store.series.saveForChannel({ guildId: '42', channelId: 'live', tag: '#Live', timezone: 'UTC', schedule: null, settings: { questionSetId: setId } });
    for (let i = 0; i < LIVE; i++) {
      const s = await persistSession(store, { series: { ...live, channelId: `live${i}` }, startsAt: new Date(START.getTime() - 3 * 60_000 - i * 1000), questions: ['One?'], questionSetId: setId, state: 'running' });
      const welcome = (await store.prompts.listBySession(s.id)).find((p) => p.kind === 'welcome')!;
      await store.prompts.markPosted(welcome.id, `m${i}`, s.startsAt, false);
    }
    const engine = new SessionEngine({ store, platform: new MemoryPlatform(clock), clock, timers: noTimers, log: silentLog, planner, owner: 'bench' });
    await engine.start();
    await timeCycles(engine, 100); // warm-up
    const empty = await timeCycles(engine, CYCLES);

    // 100,000 finished prompts: ended sessions of the past, every prompt posted.
    const ended = await store.series.saveForChannel({ guildId: '43', channelId: 'past', tag: '#Past', timezone: 'UTC', schedule: null, settings: { questionSetId: setId } });
    const seedStart = performance.now();
    const seeded = await addFinishedPrompts(store, ended, setId, FINISHED_PROMPTS);
    progress('scheduler-scale', `${seeded} finished prompts added in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    await timeCycles(engine, 100);
    const finished = await timeCycles(engine, CYCLES);
    engine.stop();
    return {
      planSmallS, planLargeS,
      cycleEmptyMs: percentile(empty, 50), cycleFinishedMs: percentile(finished, 50),
      cycleEmptyP90Ms: percentile(empty, 90), cycleFinishedP90Ms: percentile(finished, 90),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
