/**
 * Recap: a synthetic 100,000-message session exported to each format (md, html, csv, json,
 * archive) with exportRecap, chunk by chunk with writeSync to /dev/null (what
 * `emcee recap --out FILE` does), against the baseline of a bare streaming scan of the same
 * rows (bareScan: every message and answer read through the port's iterators and
 * serialised to nowhere), timed in the same process just before each export.
 *
 * buildRecapDatabase() writes the session once (one transaction, straight through the
 * store, as bench/export.ts did); bench/run.ts then runs each format in a fresh child
 * process (runRecapExport), so that every format starts from the same clean heap and the
 * peak resident memory is that format's alone. In the child, a 1,000-message session of
 * another channel is exported first in the same format (warm-up: JIT and SQLite caches),
 * then the peak-RSS mark is reset and the big session is exported once, timed.
 *
 * Peak RSS is the kernel's high-water mark (VmHWM in /proc/self/status, reset through
 * /proc/self/clear_refs just before the export): exact, however short the spike, even in
 * the middle of one synchronous call. Its growth over the RSS just before the export (after
 * a full GC) is the figure with a target.
 */
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { ManualClock } from '../src/domain/clock.ts';
import { exportRecap, type RecapFormat } from '../src/recap/index.ts';
import { persistSession } from '../src/live/persist.ts';
import { openStore, type StorePort } from '../src/store/index.ts';
import type { NewMessage } from '../src/store/port.ts';
import { MB, QUICK, fullGc, progress } from './lib.ts';

export const RECAP = { MESSAGES: QUICK ? 10_000 : 100_000, WARMUP_MESSAGES: 1_000, AUTHORS: 500 };

const START = new Date('2026-11-23T23:30:00Z');
const MINUTE = 60_000;
// The default timetable of a 4-question chat: Q1…Q4 at T+5, 12, 19, 26, outro at T+30.
const QUESTION_AT = [5, 12, 19, 26];
const OUTRO_AT = 30;
const SPAN_MINUTES = 45;

export interface RecapDatabase {
  path: string;
  sessionId: number;
  warmupSessionId: number;
  messages: number;
  answers: number;
  buildSeconds: number;
}

/** Writes a `messages`-message session (and a small warm-up one) into a new database at `path`. */
export async function buildRecapDatabase(path: string): Promise<RecapDatabase> {
  const t0 = performance.now();
  const clock = new ManualClock(START);
  const store = openStore(path, clock);
  const { id: sessionId, answers } = await buildSession(store, '222222222222222222', RECAP.MESSAGES, 1_500_000_000_000_000_000n);
  const { id: warmupSessionId } = await buildSession(store, '333333333333333333', RECAP.WARMUP_MESSAGES, 1_600_000_000_000_000_000n);
  await store.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return { path, sessionId, warmupSessionId, messages: RECAP.MESSAGES, answers, buildSeconds: (performance.now() - t0) / 1000 };
}

/**
 * Writes one ended session of `count` messages; its id and how many answer rows it has: every
 * message attributed as an answer or inferred has one, and nothing is deleted. (Counted as
 * written: reading them all back with messages.answers took a fifth of the build.)
 */
async function buildSession(store: StorePort, channelId: string, count: number, firstId: bigint): Promise<{ id: number; answers: number }> {
  const series = await store.series.saveForChannel({ guildId: '111111111111111111', channelId, tag: '#BenchChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(store, {
    series, startsAt: START, questionSetId: null, state: 'running',
    questions: ['What does a badge say about you?', 'Who should issue badges?', 'How do you display them?', 'What comes next?'],
  });
  return store.transaction(async (tx) => {
    // The bot's posts went out on time.
    let promptId = firstId - 1_000n;
    for (const p of await tx.prompts.listBySession(session.id)) await tx.prompts.markPosted(p.id, String(promptId++), p.plannedAt, false);
    // The store's bulk paths (the ingest's group commit), a batch of BATCH messages per call.
    let answers = 0;
    for (let from = 0; from < count; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => syntheticMessage(from + k, count, session.id, channelId, firstId));
      const stored = await tx.messages.ingestMany(batch.map((b) => b.message));
      await tx.messages.recordAttributions(stored.map(({ message }, k) => [message, batch[k]!.attribution] as const));
      answers += batch.filter((b) => b.attribution.kind === 'answer' || b.attribution.kind === 'inferred').length;
    }
    await tx.sessions.setState(session.id, 'ended', { endedAt: new Date(START.getTime() + SPAN_MINUTES * MINUTE) });
    return { id: session.id, answers };
  });
}

const BATCH = 1_000;
type Attribution = Parameters<StorePort['messages']['recordAttribution']>[1];

/** Message i of count: what it says (by the minute it is posted at) and what it answers. */
function syntheticMessage(i: number, count: number, sessionId: number, channelId: string, firstId: bigint): { message: NewMessage; attribution: Attribution } {
  const at = START.getTime() + Math.floor((i / count) * SPAN_MINUTES * MINUTE);
  const minute = (at - START.getTime()) / MINUTE;
  const open = QUESTION_AT.filter((m) => m <= minute).length; // 0 before Q1
  const author = i % RECAP.AUTHORS;
  const moderator = author === 0;
  let text: string;
  let attribution: Attribution;
  const body = `answer number ${i}, with "quotes", commas, <b>markup</b> and an emoji 👍 — ${'lorem ipsum '.repeat(8)}`;
  if (minute >= OUTRO_AT && i % 3 === 0) {
    text = `TA: takeaway ${i}: ${body}`;
    attribution = { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text };
  } else if (open > 0 && i % 10 !== 0 && !moderator) {
    // Mostly the open question, sometimes a late answer to an earlier one.
    const q = i % 7 === 0 ? 1 + (i % open) : open;
    text = `A${q}: ${body}`;
    attribution = { kind: 'answer', question: q, via: 'label', label: `A${q}:`, text };
  } else if (open > 0 && minute < OUTRO_AT && !moderator) {
    text = `chatter ${i}: ${body}`;
    attribution = { kind: 'inferred', question: open };
  } else {
    text = `hello from ${i}: ${body}`;
    attribution = { kind: 'none', reason: open === 0 ? 'before-first-question' : moderator ? 'moderator' : 'after-outro' };
  }
  const message: NewMessage = {
    sessionId, platformId: String(firstId + BigInt(i)), channelId, threadId: null,
    authorId: `u${author}`, authorName: `participant_${author}`, isModerator: moderator, postedAt: new Date(at), text,
    replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
  };
  return { message, attribution };
}

/** The baseline the formats are measured against: every message and answer read and serialised to nowhere. */
export type RecapTask = RecapFormat | 'scan';

export interface RecapExportFigures {
  format: RecapTask;
  seconds: number;
  bytes: number;
  chunks: number;
  /** Resident memory just before the export (after the warm-up and a full GC). */
  baseRssMb: number;
  /** Highest resident memory during the export (the kernel's high-water mark). */
  peakRssMb: number;
  /** How the peak was measured. */
  peakSource: 'VmHWM' | 'sampled';
  /** The bare streaming scan of the same session, timed in the same process just before the export. */
  scanSeconds: number;
  /** What the scan serialised (characters of JSON), and its own RSS before and peak (as for the export). */
  scanChars: number;
  scanBaseRssMb: number;
  scanPeakRssMb: number;
}

/**
 * The bare streaming scan: every message (store.messages.iterate) and every answer
 * (iterateAnswers, the answers a recap shows) of the session read through the port's
 * iterators and serialised (JSON.stringify) to nowhere. No chunk comes out of it.
 */
export async function* bareScan(store: StorePort, sessionId: number): AsyncGenerator<string> {
  let chars = 0;
  for await (const m of store.messages.iterate(sessionId)) chars += JSON.stringify(m).length;
  for await (const a of store.messages.iterateAnswers(sessionId)) chars += JSON.stringify(a).length;
  scanned = chars;
}
let scanned = 0;

const chunksOf = (store: StorePort, sessionId: number, task: RecapTask) => (task === 'scan' ? bareScan(store, sessionId) : exportRecap(store, sessionId, task));

async function timedScan(store: StorePort, sessionId: number): Promise<number> {
  const t0 = performance.now();
  for await (const chunk of bareScan(store, sessionId)) void chunk;
  return (performance.now() - t0) / 1000;
}

/** RSS now (after a full GC), with the kernel's peak mark reset to it (false: no /proc). */
function markRss(): { base: number; exact: boolean } {
  fullGc();
  const base = process.memoryUsage.rss();
  return { base, exact: resetPeakRss() };
}

/** Resets the kernel's peak-RSS mark of this process; false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function kernelPeakRss(): number | null {
  if (!existsSync('/proc/self/status')) return null;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * Exports one format of the big session to /dev/null, after a warm-up on the small one (the
 * format and the scan). Just before the export, the bare scan of the big session is timed in
 * this process too: the format's time is compared with it (same process, same moment, so
 * the machine's load varies the two alike).
 */
export async function runRecapExport(db: RecapDatabase, format: RecapTask): Promise<RecapExportFigures> {
  const store = openStore(db.path, new ManualClock(START));
  const fd = openSync('/dev/null', 'w');
  try {
    for await (const chunk of chunksOf(store, db.warmupSessionId, format)) writeSync(fd, chunk);
    await timedScan(store, db.warmupSessionId);
    // The scan's own peak RSS too: bench/run.ts reports the scan from the formats' processes.
    const scanMark = markRss();
    const scanSeconds = await timedScan(store, db.sessionId);
    const scanChars = scanned;
    const scanPeak = (scanMark.exact ? kernelPeakRss() : null) ?? process.memoryUsage.rss();
    const { base, exact } = markRss();
    let sampledPeak = base;
    let bytes = 0;
    let chunks = 0;
    const t0 = performance.now();
    for await (const chunk of chunksOf(store, db.sessionId, format)) {
      bytes += writeSync(fd, chunk);
      // Fallback only (no /proc): sampled between chunks.
      if (!exact && ++chunks % 100 === 0) sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
      else if (exact) chunks++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const hwm = exact ? kernelPeakRss() : null;
    const peak = hwm ?? Math.max(sampledPeak, process.memoryUsage.rss());
    const out = format === 'scan' ? `${(scanned / MB).toFixed(1)} MB serialised to nowhere` : `${(bytes / MB).toFixed(1)} MB`;
    progress(`recap ${format}`, `${out} in ${seconds.toFixed(2)} s (bare scan ${scanSeconds.toFixed(2)} s), peak RSS ${(peak / MB).toFixed(0)} MB (+${((peak - base) / MB).toFixed(0)} MB)`);
    return { format, seconds, bytes: format === 'scan' ? scanned : bytes, chunks, baseRssMb: base / MB, peakRssMb: peak / MB, peakSource: hwm !== null ? 'VmHWM' : 'sampled', scanSeconds,
      scanChars, scanBaseRssMb: scanMark.base / MB, scanPeakRssMb: scanPeak / MB };
  } finally {
    closeSync(fd);
    store.close();
  }
}
