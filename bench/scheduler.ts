/**
 * Scheduler: a 4-question session with the default timetable (welcome T+0, guidelines T+2,
 * heads-ups, Q1…Q4 at T+5/12/19/26, outro T+30, close T+45), run by the real bot (startApp)
 * against the loopback Discord sandbox, both on one ScaledTime clock at SPEED× (120: the
 * 45-minute timetable takes 22.5 s of real time; 60× until issue 13's run-time cut: the
 * lateness is real ms from a timer set for the prompt's instant, which the speed does not
 * scale; bench/README.md says how far it holds). Meanwhile CHATTER_RATE participants'
 * messages per second (real time) arrive, so the engine keeps time while the bot ingests.
 *
 * Lateness of a prompt = (real time its POST reached the sandbox) − (its planned instant
 * converted to real time). The sandbox stamps each request with the shared clock when it has
 * read it; the bench reads that stamp (a wrapper around sandbox.requests.push) and matches it
 * to the prompt by the nonce (the prompt marker `emcee:<session>:<prompt>`). With
 * ScaledTime, real ms = virtual ms / SPEED, so lateness = (stamp − plannedAt) / SPEED.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startApp } from '../src/app.ts';
import { startSandbox, type RecordedRequest } from '../src/sandbox/index.ts';
import { ScaledTime } from '../src/live/timers.ts';
import { openStore } from '../src/store/index.ts';
import { progress, QUICK, silentLog, until } from './lib.ts';

export const SCHEDULER = {
  SPEED: Number(process.env.BENCH_SCHEDULER_SPEED ?? (QUICK ? 600 : 120)),
  CHATTER_RATE: 20,
  AUTHORS: 50,
};

export interface PromptLateness {
  kind: string;
  question: number | null;
  plannedMinute: number;
  latenessMs: number;
}

export interface SchedulerFigures {
  speed: number;
  prompts: PromptLateness[];
  worstMs: number;
  medianMs: number;
  realSeconds: number;
  chatter: number;
}

export async function runScheduler(): Promise<SchedulerFigures> {
  const { SPEED, CHATTER_RATE, AUTHORS } = SCHEDULER;
  const start = new Date('2026-11-23T23:30:00Z');
  const time = new ScaledTime(start, SPEED);
  const sandbox = await startSandbox({ clock: time });
  const dir = mkdtempSync(`${tmpdir()}/emcee-bench-scheduler-`);
  const store = openStore(`${dir}/scheduler.sqlite`, time);

  // When each prompt post reached the sandbox (the shared clock's stamp), by nonce.
  const arrivals = new Map<string, number>();
  const requests = sandbox.requests;
  const push = requests.push.bind(requests);
  requests.push = (...items: RecordedRequest[]) => {
    for (const r of items) {
      const nonce = (r.body as { nonce?: unknown } | undefined)?.nonce;
      if (r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && typeof nonce === 'string' && !arrivals.has(nonce)) {
        arrivals.set(nonce, r.at.getTime());
      }
    }
    return push(...items);
  };

  const channel = sandbox.createChannel('benchchat');
  const authors = Array.from({ length: AUTHORS }, (_, i) => sandbox.createUser(`author_${i}`).id);
  const series = await store.series.saveForChannel({
    guildId: sandbox.guild.id, channelId: channel.id, tag: '#BenchChat', timezone: 'America/New_York', schedule: null, settings: {},
  });
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });

  progress('scheduler', `a 45-minute session at ${SPEED}× (${(45 * 60 / SPEED).toFixed(1)} s real), ${CHATTER_RATE} chat messages/s`);
  const realStart = performance.now();
  const session = await bot.live.controls.start(series, 'bench', {
    questions: ['What does a badge say about you?', 'Who should issue badges?', 'How do you display them?', 'What comes next?'],
  });
  let chatter = 0;
  const chat = setInterval(() => {
    const i = chatter++;
    sandbox.userSays(channel.id, authors[i % AUTHORS]!, `A${1 + (i % 4)}: chatting along, message ${i}`);
  }, 1000 / CHATTER_RATE);
  try {
    await until(async () => (await store.sessions.get(session.id))?.state === 'ended', ((45 * 60_000) / SPEED) * 1.5 + 10_000, 'the session to end');
  } finally {
    clearInterval(chat);
  }
  const realSeconds = (performance.now() - realStart) / 1000;
  await bot.recapsPosted();

  const prompts = await store.prompts.listBySession(session.id);
  const figures: PromptLateness[] = prompts.map((p) => {
    if (p.state !== 'posted') throw new Error(`scheduler: the ${p.kind} prompt #${p.id} was ${p.state}, not posted`);
    const at = arrivals.get(p.nonce ?? '');
    if (at === undefined) throw new Error(`scheduler: no POST reached the sandbox for the ${p.kind} prompt #${p.id}`);
    return {
      kind: p.kind,
      question: p.questionNumber,
      plannedMinute: (p.plannedAt.getTime() - session.startsAt.getTime()) / 60_000,
      latenessMs: (at - p.plannedAt.getTime()) / SPEED,
    };
  });
  const stored = await store.messages.count(session.id);
  await bot.stop();
  await sandbox.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  if (stored < chatter) throw new Error(`scheduler: ${chatter} chat messages sent, ${stored} stored`);

  const sorted = figures.map((f) => f.latenessMs).sort((a, b) => a - b);
  return { speed: SPEED, prompts: figures, worstMs: sorted[sorted.length - 1]!, medianMs: sorted[sorted.length >> 1]!, realSeconds, chatter };
}
