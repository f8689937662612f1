/**
 * The top of the hour (issue 13): GUILDS guilds with CHANNELS channels each, a weekly series
 * in every channel (10,000 series, each with its next session planned a week ahead: far-
 * future prompts), and in every guild one session that starts at the same instant T. The
 * real bot (startApp, discord.js) runs them against the sandbox in its own process, with
 * Discord's limits on and on real time: 50 requests/s per bot token, 5 posts per 5 s per
 * channel. Nothing is scaled: the limits are real-time limits, and the timetable is short
 * instead (welcome T+0, heads-up T+15 s, the question T+30 s), so that the question falls
 * due while the heads-ups are still going out.
 *
 * Figures (arrival = when the sandbox accepted the POST, on the wall clock):
 * - the last welcome's arrival − T (target ≤ 1.1 × GUILDS ÷ 50 s: the global limit is the bound);
 * - for each question post, its lateness (arrival − planned) beyond its share of the rate
 *   limit: share = (question posts due no later than it that arrived before it, since it
 *   fell due) ÷ 50 s; the worst of them (target < 1 s);
 * - global 429s the sandbox sent (target 0), and per-route ones (context);
 * - the bot process's peak RSS over the run (target < 300 MB), with 10,000 series and the
 *   GUILDS live sessions.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/domain/clock.ts';
import type { Series } from '../src/domain/series.ts';
import { persistSession } from '../src/live/persist.ts';
import { SeriesPlanner } from '../src/live/planner.ts';
import { realTimers } from '../src/live/timers.ts';
import { openStore } from '../src/store/index.ts';
import { progress, QUICK, RssSampler, silentLog, sleep, until } from './lib.ts';
import type { TopSandboxEvent } from './top-of-hour-sandbox.ts';

export const TOP_OF_HOUR = {
  GUILDS: Number(process.env.BENCH_TOP_GUILDS ?? (QUICK ? 100 : 1000)),
  CHANNELS: Number(process.env.BENCH_TOP_CHANNELS ?? (QUICK ? 2 : 10)),
  /** Discord's global limit, requests per second. */
  GLOBAL_RATE: 50,
  HEADS_UP_S: 15,
  QUESTION_S: 30,
};

export interface TopOfHourFigures {
  guilds: number;
  series: number;
  lastWelcomeS: number;
  /** Worst lateness of a question post beyond its share of the rate limit, and the median. */
  worstQuestionBeyondShareS: number;
  medianQuestionBeyondShareS: number;
  worstQuestionLatenessS: number;
  headsUpsPosted: number;
  headsUpsSkipped: number;
  globalRefusals: number;
  /** Times discord.js's REST queue held a request back for a limit (global, per route). */
  restWaits: { global: number; route: number };
  routeRefusals: number;
  requests: number;
  peakRssMb: number;
  baseRssMb: number;
  planningS: number;
  /** The bot's event-loop delay over the run (ms): p99 and max. */
  loopDelayMs: { p99: number; max: number; sandboxMax: number };
}

const SANDBOX = fileURLToPath(new URL('./top-of-hour-sandbox.ts', import.meta.url));
const wallMs = () => performance.timeOrigin + performance.now();

export async function runTopOfHour(): Promise<TopOfHourFigures> {
  const { GUILDS, CHANNELS, GLOBAL_RATE, HEADS_UP_S, QUESTION_S } = TOP_OF_HOUR;
  const child = fork(SANDBOX, [String(GUILDS), String(CHANNELS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const events: TopSandboxEvent[] = [];
  const waiters: (() => void)[] = [];
  child.on('message', (m) => {
    events.push(m as TopSandboxEvent);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async <K extends TopSandboxEvent['kind']>(kind: K): Promise<Extract<TopSandboxEvent, { kind: K }>> => {
    for (;;) {
      const i = events.findIndex((e) => e.kind === kind);
      if (i !== -1) return events.splice(i, 1)[0] as Extract<TopSandboxEvent, { kind: K }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  // The bot's code (discord.js) loads while the sandbox process builds its guilds.
  const { startApp } = await import('../src/app.ts');
  const ready = await next('ready');
  progress('top-of-hour', `sandbox: ${GUILDS} guilds × ${CHANNELS} channels`);

  const dir = mkdtempSync(`${tmpdir()}/emcee-bench-top-`);
  const store = openStore(`${dir}/top.sqlite`, systemClock);
  const set = await store.bank.create({ title: 'bench', source: 'moderator', questions: ['What brings you here?', 'What next?'] });
  // Weekly, three days from now at 18:00 UTC: the next session of every series is days away.
  const weekly = `0 18 * * ${(new Date().getUTCDay() + 3) % 7}`;
  const top: Series[] = [];
  // Setting up goes in one transaction (a call from inside joins it): it is not what is measured.
  await store.transaction(async () => {
    for (const g of ready.guilds) {
      for (const [c, channelId] of g.channels.entries()) {
        const settings = c === 0
          ? { questionSetId: set.id, guidelinesAtMinutes: null, firstQuestionAtMinutes: QUESTION_S / 60, headsUpMinutesBefore: (QUESTION_S - HEADS_UP_S) / 60 }
          : { questionSetId: set.id };
        const series = await store.series.saveForChannel({ guildId: g.id, channelId, tag: `#Chat${c}`, timezone: 'UTC', schedule: weekly, settings });
        if (c === 0) top.push(series);
      }
    }
  });
  const planStart = performance.now();
  await store.transaction(() => new SeriesPlanner({ store, log: silentLog }).planUpcoming(new Date()));
  const planningS = (performance.now() - planStart) / 1000;
  progress('top-of-hour', `${GUILDS * CHANNELS} series, their next sessions planned in ${planningS.toFixed(1)} s`);

  const rss = new RssSampler(20);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const bot = await startApp({ store, token: ready.token, apiBase: ready.apiBase, clock: systemClock, timers: realTimers, log: silentLog, minuteTick: false, connectTimeoutMs: 120_000 });
  await bot.lastBackfill();
  // discord.js's own waits (its REST queue holding requests back for a limit), for the note.
  const restWaits = { global: 0, route: 0 };
  bot.client.rest.on('rateLimited', (info) => void (info.global ? restWaits.global++ : restWaits.route++));
  // T: a few seconds ahead, on a whole second; every guild's session starts then. (Writing
  // the sessions takes about 0.5 s on a loaded machine: the progress line gives the margin.)
  const T = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
  const sessions = await store.transaction(async () => {
    const made = [];
    for (const series of top) made.push(await persistSession(store, { series, startsAt: T, questions: ['What brings you here?'], questionSetId: set.id }));
    return made;
  });
  const margin = T.getTime() - Date.now();
  if (margin < 500) throw new Error('top-of-hour: setting up the sessions took past their start; raise the lead');
  void bot.live.engine.kick(); // the sessions were written here, not by another process: tell the engine
  progress('top-of-hour', `${sessions.length} sessions start at ${T.toISOString()}, ${(margin / 1000).toFixed(1)} s after they were written`);

  const questionNonces = new Map<string, number>();
  const welcomeNonces = new Set<string>();
  const markerOf = (sessionId: number, promptId: number) => `emcee:${sessionId}:${promptId}`;
  for (const s of sessions) {
    for (const p of await store.prompts.listBySession(s.id)) {
      if (p.kind === 'question') questionNonces.set(markerOf(s.id, p.id), p.plannedAt.getTime());
      if (p.kind === 'welcome') welcomeNonces.add(markerOf(s.id, p.id));
    }
  }
  const stats = async () => {
    child.send({ cmd: 'stats' });
    return next('stats');
  };
  child.send({ cmd: 'watch', nonces: [...questionNonces.keys()] });
  const limit = (QUESTION_S + (3 * GUILDS) / GLOBAL_RATE + 60) * 1000;
  await until(async () => {
    await sleep(250);
    child.send({ cmd: 'count' });
    return (await next('count')).arrived === questionNonces.size;
  }, limit + T.getTime() - Date.now(), 'every question to be posted');
  const { arrivals, rateLimited, requests, loopDelayMaxMs } = await stats();
  const mem = rss.stop();
  loopDelay.disable();
  const prompts = (await Promise.all(sessions.map((s) => store.prompts.listBySession(s.id)))).flat();
  await bot.stop();
  child.send({ cmd: 'close' });
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const at = new Map(arrivals);
  // Posts accepted per second from T, for the note (who set the pace).
  const perSecond: number[] = [];
  for (const [, t] of arrivals) {
    const i = Math.floor((t - T.getTime()) / 1000);
    if (i >= 0) perSecond[i] = (perSecond[i] ?? 0) + 1;
  }
  progress('top-of-hour', `posts accepted per second from T: ${Array.from(perSecond, (n) => n ?? 0).join(' ')}`);
  const welcomes = [...welcomeNonces].map((n) => at.get(n));
  if (welcomes.some((w) => w === undefined)) throw new Error('top-of-hour: a welcome never arrived');
  const lastWelcomeS = (Math.max(...(welcomes as number[])) - T.getTime()) / 1000;
  const questions = [...questionNonces].map(([n, planned]) => ({ planned, arrived: at.get(n)! })).sort((a, b) => a.arrived - b.arrived);
  const beyond = questions.map((q, i) => {
    const ahead = questions.slice(0, i).filter((o) => o.planned <= q.planned && o.arrived >= q.planned).length;
    return (q.arrived - q.planned) / 1000 - ahead / GLOBAL_RATE;
  }).sort((a, b) => a - b);
  return {
    guilds: GUILDS,
    series: GUILDS * CHANNELS,
    lastWelcomeS,
    worstQuestionBeyondShareS: beyond.at(-1)!,
    medianQuestionBeyondShareS: beyond[beyond.length >> 1]!,
    worstQuestionLatenessS: Math.max(...questions.map((q) => q.arrived - q.planned)) / 1000,
    headsUpsPosted: prompts.filter((p) => p.kind === 'heads_up' && p.state === 'posted').length,
    headsUpsSkipped: prompts.filter((p) => p.kind === 'heads_up' && p.state === 'skipped').length,
    globalRefusals: rateLimited.global ?? 0,
    restWaits,
    routeRefusals: (rateLimited.user ?? 0) + (rateLimited.shared ?? 0),
    requests,
    peakRssMb: mem.peakMb,
    baseRssMb: mem.baseMb,
    planningS,
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6, sandboxMax: loopDelayMaxMs },
  };
}

