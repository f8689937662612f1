/**
 * Ingest: the loopback Discord sandbox streams MESSAGE_CREATE dispatches (A-labelled answers
 * to Q1–Q4 from 200 authors) to (a) a bare discord.js client with a no-op messageCreate
 * listener, or (b) the full Emcee bot with an on-disk SQLite store, or (c) the same bot on a
 * PostgreSQL server (bench/ingest-postgres.ts), during a running session whose four
 * questions are out.
 *
 * The sandbox runs in a process of its own (bench/ingest-sandbox.ts); this process is the
 * client's, so its resident memory is the client's. Each phase's gateway frames are made
 * before the phase (pre-serialised), so the sandbox only writes them: the client sets the
 * pace. Four phases on the same connection:
 *   warm-up     WARMUP messages (JIT, caches, prepared statements), not measured
 *   throughput  N messages as fast as the client takes them: the sandbox sends BATCH per
 *               setImmediate and never more than WINDOW not yet handled (closed loop, so
 *               nothing piles up in socket buffers). messages/s = N / (last handled − first
 *               dispatched).
 *   latency     M messages at RATE offered, then M_HIGH at RATE_HIGH (open loop: the sandbox
 *               follows its clock whatever the client does), the same rates for both clients.
 *               Latency is from the frame's write to the moment the message was handled: the
 *               bare client's listener ran, or the promise of the bot's
 *               LiveIngest.messageCreated resolved (after its batch's transaction committed:
 *               the row is in the database then).
 * Resident memory is sampled every 10 ms from the end of the warm-up (after a full GC) to the
 * end of the last latency phase.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Events, type Client } from 'discord.js';
import { systemClock } from '../src/domain/clock.ts';
import { startApp, type RunningApp } from '../src/app.ts';
import { createDiscordClient } from '../src/discord/client.ts';
import { realTimers } from '../src/live/timers.ts';
import type { IncomingMessage } from '../src/live/ingest.ts';
import { openStore, type StorePort } from '../src/store/index.ts';
import { openBenchPostgres, type BenchPostgres, type PostgresServerInfo } from './ingest-postgres.ts';
import type { SandboxCommand, SandboxEvent } from './ingest-sandbox.ts';
import { hrMs, sequenceOf } from './ingest-text.ts';
import { fullGc, MB, percentile, progress, QUICK, RssSampler, silentLog, sleep, until } from './lib.ts';

/** bot: on an SQLite file, as the bot runs by default; bot-postgres: on a PostgreSQL server. */
export type IngestMode = 'bare' | 'bot' | 'bot-postgres';

export const INGEST = {
  WARMUP: QUICK ? 1_000 : 3_000,
  /** Messages in the throughput phase. */
  N: QUICK ? 5_000 : 50_000,
  /** Messages in the latency phase, and their offered rate (messages/s). */
  M: QUICK ? 2_000 : 10_000,
  RATE: Number(process.env.BENCH_INGEST_RATE ?? 1_000),
  /** The second latency phase: messages and offered rate (the issue's 5,000 msg/s). */
  M_HIGH: QUICK ? 5_000 : 25_000,
  RATE_HIGH: 5_000,
  BATCH: 50,
  WINDOW: 500,
  AUTHORS: 200,
};

const ACK_EVERY = 50;

export interface LatencyFigures { messages: number; offeredRate: number; achievedRate: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number }

export interface IngestFigures {
  mode: IngestMode;
  /**
   * Who set the pace: clientBusy is this process's event-loop utilisation (0–1) during the
   * phase; sandboxWork the share of the sandbox's wall time spent in userSays, sandboxWaiting
   * the share it spent with the window full (the client behind).
   */
  throughput: {
    messages: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number;
    clientBusy: number; sandboxWork: number; sandboxWaiting: number;
  };
  /** At RATE offered, and at RATE_HIGH offered. */
  latency: LatencyFigures;
  latencyHigh: LatencyFigures;
  rss: { baseMb: number; peakMb: number; growthMb: number; afterGcMb: number };
  /** JS heap in use after a full GC, at the baseline and after the run: what the run left behind. */
  heap: { baseMb: number; afterGcMb: number; keptBytesPerMessage: number };
  /** Bot only: rows in the session (messages, answers) and the bot's own posts. */
  stored: { messages: number; answers: number } | null;
  /** bot-postgres only: the server the bot's store ran on. */
  postgres?: PostgresServerInfo;
}

/** The sandbox process, driven over IPC. */
class SandboxProcess {
  private readonly child: ChildProcess;
  private readonly waiting: { kind: SandboxEvent['kind']; resolve: (e: SandboxEvent) => void }[] = [];
  private failure: Error | null = null;

  constructor(total: number) {
    this.child = fork(fileURLToPath(new URL('./ingest-sandbox.ts', import.meta.url)), [String(total), String(INGEST.AUTHORS)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (raw) => {
      const event = raw as SandboxEvent;
      if (event.kind === 'error') this.fail(new Error(`sandbox process: ${event.message}`));
      const i = this.waiting.findIndex((w) => w.kind === event.kind);
      if (i !== -1) this.waiting.splice(i, 1)[0]!.resolve(event);
    });
    this.child.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`the sandbox process exited with ${code}`));
    });
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const w of this.waiting.splice(0)) w.resolve({ kind: 'error', message: err.message });
  }

  next<K extends SandboxEvent['kind']>(kind: K): Promise<Extract<SandboxEvent, { kind: K }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        kind,
        resolve: (e) => (e.kind === 'error' ? reject(new Error(e.message)) : resolve(e as Extract<SandboxEvent, { kind: K }>)),
      });
    });
  }

  send(command: SandboxCommand): void {
    this.child.send(command);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ cmd: 'close' });
    await exited;
  }
}

export interface IngestOptions {
  /**
   * For experiments by hand (`bench/child.ts ingest bot 'synchronous = OFF'`): PRAGMAs
   * applied to the bot's database after it is opened, to see what a change in
   * src/store/db.ts would do. Never used by the suite.
   */
  pragmas?: string[];
  label?: string;
  /** bot-postgres: the server (postgres://…); the bot's tables go in a fresh schema there. */
  postgresUrl?: string;
}

/**
 * BENCH_PROFILE=dir (diagnostics): a CPU profile of the client's process over the throughput
 * phase alone, written to dir/ingest-<mode>.cpuprofile (open it in Chrome's DevTools).
 */
async function phaseProfiler(task: string): Promise<{ stop(): Promise<void> }> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return { stop: async () => {} };
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/${task.replace(/\W+/g, '-')}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      progress(task, `CPU profile of the throughput phase: ${file}`);
    },
  };
}

export async function runIngest(mode: IngestMode, options: IngestOptions = {}): Promise<IngestFigures> {
  const task = `ingest ${options.label ?? mode}`;
  const total = INGEST.WARMUP + INGEST.N + INGEST.M + INGEST.M_HIGH;
  const sandbox = new SandboxProcess(total);
  const world = await sandbox.next('ready');

  // When each message was handled (CLOCK_MONOTONIC ms), by sequence number; allocated up front.
  const t1 = new Float64Array(total).fill(Number.NaN);
  let handled = 0;
  const onHandled = (text: string): void => {
    const i = sequenceOf(text);
    if (i < 0) return; // the bot's own prompt posts
    t1[i] = hrMs();
    // The closed loop's acknowledgements: one IPC message per ACK_EVERY (a small fraction of
    // the window, so the sandbox never waits on them), to keep the harness's own cost here low.
    if (++handled % ACK_EVERY === 0) sandbox.send({ cmd: 'ack', handled });
  };
  const allHandled = async (count: number, what: string): Promise<void> => {
    // A server store commits with a round trip (and an fsync there) per message: more time.
    const deadline = performance.now() + (mode === 'bot-postgres' ? 600_000 : 120_000);
    while (handled < count) {
      if (performance.now() > deadline) throw new Error(`${task}: ${count - handled} messages of the ${what} never handled`);
      await sleep(1);
    }
  };

  let client: Client;
  let bot: RunningApp | null = null;
  let store: StorePort | null = null;
  let postgres: BenchPostgres | null = null;
  let sessionId = 0;
  // BENCH_INGEST_DB_DIR (diagnostics): where the bot's database goes, e.g. /dev/shm to take
  // the disk out of the picture. By default a temp dir on the real disk, as the bot runs.
  const dir = mkdtempSync(`${process.env.BENCH_INGEST_DB_DIR ?? tmpdir()}/emcee-bench-ingest-`);
  if (mode === 'bare') {
    // Exactly the client the bot builds (intents Guilds, GuildMessages, MessageContent;
    // partials; capped message/member/user caches and sweepers), with nothing of Emcee on it:
    // the difference to the bot run is Emcee's own work.
    client = createDiscordClient({ apiBase: world.apiBase });
    client.on(Events.MessageCreate, (msg) => onHandled(msg.content));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(world.token);
    await ready;
  } else {
    if (mode === 'bot-postgres') {
      if (!options.postgresUrl) throw new Error(`${task}: no PostgreSQL URL given`);
      postgres = await openBenchPostgres(options.postgresUrl);
      store = postgres.store;
    } else {
      const sqlite = openStore(`${dir}/ingest.sqlite`, systemClock);
      for (const pragma of options.pragmas ?? []) await sqlite.pragma(pragma);
      store = sqlite;
    }
    const series = await store.series.saveForChannel({
      guildId: world.guildId, channelId: world.channelId, tag: '#BenchChat', timezone: 'America/New_York', schedule: null, settings: {},
    });
    bot = await startApp({ token: world.token, apiBase: world.apiBase, store, clock: systemClock, timers: realTimers, log: silentLog, minuteTick: false });
    client = bot.client;
    const session = await bot.live.controls.start(series, 'bench', {
      questions: ['What does a badge say about you?', 'Who should issue badges?', 'How do you display them?', 'What comes next?'],
    });
    sessionId = session.id;
    // All four questions out now, as in a chat in full swing; the outro and the close stay
    // minutes away (real time), well after the run.
    for (let q = 0; q < 4; q++) await bot.live.controls.next(session.id, 'bench');
    // The engine may post on its own queue after next() returns: wait (bounded) for all four.
    const posted = async () => (await store!.prompts.listBySession(session.id)).filter((p) => p.kind === 'question' && p.state === 'posted').length;
    await until(async () => (await posted()) === 4, 30_000, `${task}: 4 questions posted (${await posted()} so far)`);
    const ingest = bot.live.ingest;
    const original = ingest.messageCreated.bind(ingest);
    // Handled when the returned promise resolves: the message waits its turn in the ingest
    // queue and its transaction commits before that (a failure is the bench's failure: the
    // message then never counts as handled and the run ends with the count missing).
    ingest.messageCreated = (m: IncomingMessage) => {
      const r = original(m);
      r.then(() => onHandled(m.text), () => {});
      return r;
    };
  }

  // Each phase's gateway frames are made before it starts (see ingest-sandbox.ts).
  const prepare = async (n: number) => {
    sandbox.send({ cmd: 'prepare', n });
    await sandbox.next('prepared');
  };
  progress(task, `warm-up: ${INGEST.WARMUP.toLocaleString('en-US')} messages`);
  await prepare(INGEST.WARMUP);
  sandbox.send({ cmd: 'closed', n: INGEST.WARMUP, batch: INGEST.BATCH, window: INGEST.WINDOW });
  await sandbox.next('dispatched');
  await allHandled(INGEST.WARMUP, 'warm-up');
  await prepare(INGEST.N);
  await sleep(100);
  fullGc();
  const heapBase = process.memoryUsage().heapUsed;
  const rss = new RssSampler(10);

  progress(task, `throughput: ${INGEST.N.toLocaleString('en-US')} messages, ${INGEST.BATCH} per setImmediate, at most ${INGEST.WINDOW} unhandled`);
  const profile = await phaseProfiler(task);
  const elu = performance.eventLoopUtilization();
  sandbox.send({ cmd: 'closed', n: INGEST.N, batch: INGEST.BATCH, window: INGEST.WINDOW });
  const { work: sandboxWork, waiting: sandboxWaiting } = await sandbox.next('dispatched');
  await allHandled(INGEST.WARMUP + INGEST.N, 'throughput phase');
  const clientBusy = performance.eventLoopUtilization(elu).utilization;
  await profile.stop();

  const latencyPhase = async (n: number, rate: number, upTo: number) => {
    await prepare(n);
    progress(task, `latency: ${n.toLocaleString('en-US')} messages at ${rate} messages/s`);
    sandbox.send({ cmd: 'open', n, rate });
    await sandbox.next('dispatched');
    await allHandled(upTo, `latency phase at ${rate}/s`);
  };
  await latencyPhase(INGEST.M, INGEST.RATE, INGEST.WARMUP + INGEST.N + INGEST.M);
  await latencyPhase(INGEST.M_HIGH, INGEST.RATE_HIGH, total);
  const memory = rss.stop();
  if (rss.atPeak) progress(task, `at the RSS peak: ${Object.entries(rss.atPeak).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`).join(', ')}`);
  fullGc();
  const afterGcMb = process.memoryUsage.rss() / 1024 / 1024;
  const heapAfter = process.memoryUsage().heapUsed;
  // BENCH_HEAPSNAPSHOT=file (diagnostics): a heap snapshot of the client after the run.
  if (process.env.BENCH_HEAPSNAPSHOT) progress(task, `heap snapshot: ${(await import('node:v8')).writeHeapSnapshot(process.env.BENCH_HEAPSNAPSHOT)}`);

  sandbox.send({ cmd: 'times' });
  const { t0 } = await sandbox.next('times');
  let stored: IngestFigures['stored'] = null;
  if (store) {
    stored = {
      messages: (await store.messages.listBySession(sessionId)).filter((m) => !m.fromSelf).length,
      // Nothing is deleted in the run, so answers() (which leaves deleted messages out) sees every row.
      answers: (await store.messages.answers(sessionId)).filter((a) => a.via === 'label').length,
    };
    if (stored.messages !== total || stored.answers !== total) {
      throw new Error(`${task}: ${total} messages sent, ${stored.messages} stored, ${stored.answers} attributed by label`);
    }
  }
  await bot?.stop();
  if (!bot) await client.destroy();
  await sandbox.close();
  if (postgres) await postgres.dispose();
  else await store?.close();
  rmSync(dir, { recursive: true, force: true });

  const phase = (from: number, to: number) => {
    const lat = new Float64Array(to - from);
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (let i = from; i < to; i++) {
      const a = t0[i]!;
      const b = t1[i]!;
      if (Number.isNaN(a) || Number.isNaN(b)) throw new Error(`${task}: message ${i} has no ${Number.isNaN(a) ? 'dispatch' : 'handled'} time`);
      lat[i - from] = b - a;
      first = Math.min(first, a);
      last = Math.max(last, b);
    }
    lat.sort();
    return { lat, seconds: (last - first) / 1000 };
  };
  const tp = phase(INGEST.WARMUP, INGEST.WARMUP + INGEST.N);
  const latency = (from: number, n: number, rate: number): LatencyFigures => {
    const lp = phase(from, from + n);
    return {
      messages: n, offeredRate: rate, achievedRate: n / lp.seconds,
      p50Ms: percentile(lp.lat, 50), p99Ms: percentile(lp.lat, 99), p999Ms: percentile(lp.lat, 99.9), maxMs: lp.lat[lp.lat.length - 1]!,
    };
  };
  return {
    mode,
    throughput: {
      messages: INGEST.N, seconds: tp.seconds, perSecond: INGEST.N / tp.seconds, p50Ms: percentile(tp.lat, 50), p99Ms: percentile(tp.lat, 99),
      clientBusy, sandboxWork, sandboxWaiting,
    },
    latency: latency(INGEST.WARMUP + INGEST.N, INGEST.M, INGEST.RATE),
    latencyHigh: latency(INGEST.WARMUP + INGEST.N + INGEST.M, INGEST.M_HIGH, INGEST.RATE_HIGH),
    rss: { ...memory, afterGcMb },
    heap: { baseMb: heapBase / MB, afterGcMb: heapAfter / MB, keptBytesPerMessage: (heapAfter - heapBase) / (INGEST.N + INGEST.M + INGEST.M_HIGH) },
    stored,
    ...(postgres ? { postgres: postgres.server } : {}),
  };
}
