/**
 * `npm run bench`: Emcee's benchmark suite (see bench/README.md). Each task runs in a fresh
 * child process (bench/child.ts), one after the other, never two at once. This process
 * only orchestrates, prints the table and (with --write) writes bench/results.json.
 *
 * Exit code: 0 when every benchmark ran, whether or not it met its target (the table says
 * MISS); 1 when a benchmark crashed. BENCH_QUICK=1 shrinks every N for a smoke run;
 * BENCH_DIAGNOSE=1 adds the diagnostic runs (no targets). `--write` records the run in
 * bench/results.json; without it the file is left alone.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RECAP_FORMATS } from '../src/recap/index.ts';
import type { IngestCoreFigures } from './diagnose.ts';
import { INGEST, type IngestFigures } from './ingest.ts';
import { ingestByStore, ingestRows, storeTable } from './ingest-stores.ts';
import { benchPostgresServer } from './postgres-server.ts';
import { machineInfo, QUICK, result, type BenchResult, type ChildMessage, type Target } from './lib.ts';
import { markdownTable } from './table.ts';
import { RECAP, type RecapDatabase, type RecapExportFigures } from './recap.ts';
import { REPLAY, type ReplayFigures } from './replay.ts';
import { SCHEDULER, type SchedulerFigures } from './scheduler.ts';
import { SCHEDULER_SCALE, type SchedulerScaleFigures } from './scheduler-scale.ts';
import { TOP_OF_HOUR, type TopOfHourFigures } from './top-of-hour.ts';

const DIAGNOSE = process.env.BENCH_DIAGNOSE === '1';
/** `--write`: record this run in bench/results.json (the tracked file holds one reviewed run); by default only the table is printed. */
const WRITE = process.argv.slice(2).includes('--write');
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const TASK_TIMEOUT_MS = 240_000;
/** Every message's commit is a round trip to the server (and an fsync there): more time. */
const PG_TASK_TIMEOUT_MS = 900_000;

const results: BenchResult[] = [];
/** Every task's figures as it reported them (per-prompt lateness, busy shares, …), for results.json. */
const raw: Record<string, unknown> = {};
const crashes: { task: string; error: string }[] = [];
/** Benchmarks that could not run here (no PostgreSQL), with why: shown in the table, never silent. */
const skipped: { task: string; reason: string }[] = [];
const started = performance.now();

/** Runs one task in a fresh process; its figures, or null when it crashed (recorded). */
function task<T>(name: string, args: string[], timeoutMs = TASK_TIMEOUT_MS): Promise<T | null> {
  process.stderr.write(`▶ ${name}\n`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = fork(CHILD, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let figures: T | undefined;
    const timer = setTimeout(() => {
      crashes.push({ task: name, error: `timed out after ${timeoutMs / 1000} s` });
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      const msg = message as ChildMessage;
      if (msg.kind === 'figures') figures = msg.figures as T;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.stderr.write(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      if (code === 0 && figures !== undefined) {
        raw[name] = figures;
        return resolve(figures);
      }
      if (!crashes.some((c) => c.task === name)) {
        crashes.push({ task: name, error: figures === undefined ? `exited with ${signal ?? code} without figures` : `exited with ${signal ?? code}` });
      }
      resolve(null);
    });
  });
}

const below = (value: number): Target => ({ op: '<', value });
const atLeast = (value: number): Target => ({ op: '>=', value });
const add = (r: BenchResult) => results.push(r);

// 1. Ingest: the bare client, then the bot, each in its own process (with its own sandbox process).
const bare = await task<IngestFigures>('ingest: bare discord.js client', ['ingest', 'bare']);
const bot = await task<IngestFigures>('ingest: Emcee bot', ['ingest', 'bot']);
// The same bot on PostgreSQL: EMCEE_BENCH_POSTGRES_URL, or a throwaway cluster made for this task only.
const PG_TASK = 'ingest: Emcee bot on PostgreSQL';
const pgServer = await benchPostgresServer();
let pgBot: IngestFigures | null = null;
if (pgServer.url === null) {
  skipped.push({ task: PG_TASK, reason: pgServer.reason });
} else {
  process.stderr.write(`  PostgreSQL: ${pgServer.source}\n`);
  try {
    pgBot = await task<IngestFigures>(PG_TASK, ['ingest', 'bot-postgres', pgServer.url], PG_TASK_TIMEOUT_MS);
  } finally {
    await pgServer.stop();
  }
}
for (const r of ingestRows(bare, bot, pgBot)) add(r);

// 2. Replay.
const replay = await task<ReplayFigures>('replay: seed archives', ['replay']);
if (replay) {
  add(result('replay', `${replay.archives} archives × ${replay.rounds}: messages/s`, replay.perSecond, 'msg/s', null,
    `${replay.messagesPerRound} msgs a round; round median ${replay.roundMs.median.toFixed(2)} ms, max ${replay.roundMs.max.toFixed(2)} ms`));
}

// 3. Recap: build once, export each format in a fresh process.
const recapDir = mkdtempSync(`${tmpdir()}/emcee-bench-recap-`);
try {
  const db = await task<RecapDatabase>('recap: build the session', ['recap-build', `${recapDir}/recap.sqlite`]);
  if (db) {
    const rows = `${db.messages.toLocaleString('en-US')} msgs / ${db.answers.toLocaleString('en-US')} answers`;
    const exported: [string, RecapExportFigures][] = [];
    for (const format of RECAP_FORMATS) {
      const f = await task<RecapExportFigures>(`recap: ${format}`, ['recap-export', JSON.stringify(db), format]);
      if (f) exported.push([format, f]);
    }
    // The bare scan is timed in every format's process just before its export (no task of its own).
    if (exported.length) {
      const scans = exported.map(([, f]) => f).sort((a, b) => a.scanSeconds - b.scanSeconds);
      const median = scans[scans.length >> 1]!;
      const worst = scans.reduce((a, b) => (b.scanPeakRssMb - b.scanBaseRssMb > a.scanPeakRssMb - a.scanBaseRssMb ? b : a));
      const each = exported.map(([format, f]) => `${format} ${f.scanSeconds.toFixed(2)}`).join(', ');
      add(result('recap', 'bare streaming scan: seconds', median.scanSeconds, 's', null,
        `${rows}: every message and answer through the port's iterators, ${(median.scanChars / 1024 / 1024).toFixed(0)} MB of JSON to nowhere; median of the scans timed in each format's process (${each} s)`));
      add(result('recap', 'bare streaming scan: peak RSS growth', worst.scanPeakRssMb - worst.scanBaseRssMb, 'MB', null,
        `${worst.peakSource}; the largest of the ${scans.length} scans, ${worst.scanBaseRssMb.toFixed(0)} MB before`));
    }
    for (const [format, f] of exported) {
      const size = `${(f.bytes / 1024 / 1024).toFixed(1)} MB out, ${rows}`;
      add(result('recap', `${format}: seconds`, f.seconds, 's', null, size));
      // ≤ 3× the scan; the scan timed in the same process just before the export.
      add(result('recap', `${format}: time ÷ bare scan`, f.seconds / f.scanSeconds, '×', below(3), `scan ${f.scanSeconds.toFixed(2)} s in the same process, just before`));
      add(result('recap', `${format}: peak RSS growth`, f.peakRssMb - f.baseRssMb, 'MB', below(100), `${f.peakSource}; peak ${f.peakRssMb.toFixed(0)} MB, ${f.baseRssMb.toFixed(0)} MB before the export`));
    }
  }
} finally {
  rmSync(recapDir, { recursive: true, force: true });
}

// 4. Scheduler (real time).
const scheduler = await task<SchedulerFigures>('scheduler: a session in real time', ['scheduler']);
if (scheduler) {
  const worst = scheduler.prompts.reduce((a, b) => (b.latenessMs > a.latenessMs ? b : a));
  const which = `${worst.kind}${worst.question ? ` Q${worst.question}` : ''} at T+${worst.plannedMinute}`;
  add(result('scheduler', 'worst prompt lateness', scheduler.worstMs, 'ms', below(50),
    `${scheduler.prompts.length} prompts at ${scheduler.speed}× (${scheduler.realSeconds.toFixed(1)} s), ${scheduler.chatter} chat msgs; worst: ${which}; real ms from the prompt's instant to its POST (the engine's timer is set for that instant, so the speed does not scale the figure; 120× since issue 13's run-time cut, 60× before)`));
  add(result('scheduler', 'median prompt lateness', scheduler.medianMs, 'ms', null));
}

// 4b. The top of the hour: every guild's session starting at once, against Discord's limits (real time).
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
const top = await task<TopOfHourFigures>('scheduler: the top of the hour', ['top-of-hour']);
if (top) {
  const bound = (top.guilds / TOP_OF_HOUR.GLOBAL_RATE) * 1.1;
  const setup = `${top.guilds} guilds × a session at T, ${top.series.toLocaleString('en-US')} series; ${load()}`;
  add(result('scheduler', `top of the hour: last of ${top.guilds} welcomes posted after T`, top.lastWelcomeS, 's', below(bound),
    `${setup}; target 1.1 × ${top.guilds} ÷ ${TOP_OF_HOUR.GLOBAL_RATE}/s; bot event loop delay p99 ${top.loopDelayMs.p99.toFixed(0)} ms, max ${top.loopDelayMs.max.toFixed(0)} ms (sandbox max ${top.loopDelayMs.sandboxMax.toFixed(0)} ms)`));
  add(result('scheduler', 'top of the hour: worst question lateness beyond its rate-limit share', top.worstQuestionBeyondShareS, 's', below(1),
    `share = question posts due no later that went first ÷ ${TOP_OF_HOUR.GLOBAL_RATE}/s; median ${top.medianQuestionBeyondShareS.toFixed(2)} s, worst plain lateness ${top.worstQuestionLatenessS.toFixed(1)} s; heads-ups posted ${top.headsUpsPosted}, skipped (question due) ${top.headsUpsSkipped}`));
  add(result('scheduler', 'top of the hour: global 429s received', top.globalRefusals, '', below(1),
    `${top.requests} requests; per-route 429s ${top.routeRefusals}; discord.js REST queue waits: global ${top.restWaits.global}, route ${top.restWaits.route}`));
  add(result('scheduler', `bot RSS with ${top.series.toLocaleString('en-US')} series and ${top.guilds} live sessions`, top.peakRssMb, 'MB', below(300),
    `peak over the run, sandbox in its own process; ${top.baseRssMb.toFixed(0)} MB when the bot had logged in`));
}
const scale = await task<SchedulerScaleFigures>('scheduler: planning and cycle cost', ['scheduler-scale']);
if (scale) {
  const { PLAN_SMALL, PLAN_LARGE, FINISHED_PROMPTS, CYCLES } = SCHEDULER_SCALE;
  add(result('scheduler', `planning ${PLAN_LARGE.toLocaleString('en-US')} ÷ ${PLAN_SMALL.toLocaleString('en-US')} weekly series`, scale.planLargeS / scale.planSmallS, '×', below(12),
    `${scale.planLargeS.toFixed(1)} s vs ${scale.planSmallS.toFixed(2)} s, planned as the bot plans (200 sessions a transaction, a savepoint each); ${load()}`));
  add(result('scheduler', `engine cycle with ${FINISHED_PROMPTS.toLocaleString('en-US')} finished prompts ÷ with none`, scale.cycleFinishedMs / scale.cycleEmptyMs, '×', below(1.2),
    `median of ${CYCLES} cycles: ${scale.cycleFinishedMs.toFixed(2)} ms vs ${scale.cycleEmptyMs.toFixed(2)} ms (p90 ${scale.cycleFinishedP90Ms.toFixed(2)} vs ${scale.cycleEmptyP90Ms.toFixed(2)} ms); ${load()}`));
}

// Diagnostics (no targets): the bot's ingest work without Discord.
if (DIAGNOSE) {
  for (const [storage, history] of [['memory', 0], ['disk', 0], ['disk', 52], ['disk', 520]] as const) {
    const f = await task<IngestCoreFigures>(`diagnose: LiveIngest ${storage}, ${history} past sessions`, ['ingest-core', storage, String(history)]);
    if (!f) continue;
    add(result('diagnose', `LiveIngest alone, ${storage}, ${history} past sessions`, f.microsPerMessage, 'µs/msg', null,
      `p99 ${f.p99Ms.toFixed(2)} ms, max ${f.maxMs.toFixed(1)} ms; heap kept ${f.heapRetainedBytesPerMessage.toFixed(0)} B/msg`));
  }
}

// ------------------------------------------------------------------ table and results.json
const seconds = (performance.now() - started) / 1000;
const machine = machineInfo();
console.log(`\nEmcee benchmarks${QUICK ? ' (BENCH_QUICK: smoke run, small N)' : ''} — node ${machine.node}, ${machine.cpuCount}× ${machine.cpuModel}, ${machine.totalMemoryMb} MB, ${seconds.toFixed(0)} s\n`);
console.log(markdownTable({ results, crashes, skipped }));
const notes = results.filter((r) => r.note);
if (notes.length) {
  console.log('\nHow each figure was measured:');
  for (const r of notes) console.log(`  ${r.benchmark} / ${r.figure}: ${r.note}`);
}
const byStore = ingestByStore(bot, pgBot, pgServer.url === null ? pgServer.reason : null);
console.log(`\n${storeTable(byStore)}`);

// Written whole or not at all (a temporary file renamed over it); `npm run bench:readme` puts it in README.md.
if (WRITE) writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify({
  machine,
  durationSeconds: seconds,
  load: loadavg(),
  settings: { ingest: INGEST, replay: REPLAY, recap: RECAP, scheduler: SCHEDULER, topOfHour: TOP_OF_HOUR, schedulerScale: SCHEDULER_SCALE, diagnose: DIAGNOSE },
  results,
  crashes,
  skipped,
  ingestByStore: { ...byStore, postgresServer: pgServer.url === null ? null : { source: pgServer.source, ...pgBot?.postgres } },
  raw,
}, null, 2)}\n`);
if (WRITE) renameSync(`${RESULTS}.tmp`, RESULTS);
console.log(WRITE ? `\nwrote ${RESULTS} (npm run bench:readme puts it in README.md)` : `\n${RESULTS} left as it is (npm run bench -- --write records this run there)`);
if (crashes.length) {
  console.log(`${crashes.length} benchmark(s) crashed: ${crashes.map((c) => c.task).join(', ')}`);
  process.exitCode = 1;
}
