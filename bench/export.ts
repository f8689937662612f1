/**
 * `npm run bench`: exporting a 100,000-message session must stream (flat memory) and be
 * quick. Builds the session in a temporary database, then exports CSV, JSON and the archive
 * transcript to /dev/null, sampling the process's resident memory while it runs.
 *
 * Targets (checked, exit code 1 when missed): each export adds < 64 MB to the resident set
 * and runs < 20 s on the 2-core CI machine.
 */
import { mkdtempSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ManualClock } from '../src/core/clock.ts';
import { exportRecap, type RecapFormat } from '../src/recap/index.ts';
import { persistSession } from '../src/session/persist.ts';
import { openStore } from '../src/store/index.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const MAX_RSS_GROWTH_MB = 64;
const MAX_SECONDS = 20;

const dir = mkdtempSync(`${tmpdir()}/emcee-bench-`);
const start = new Date('2026-11-23T23:30:00Z');
const store = openStore(`${dir}/bench.sqlite`, new ManualClock(start));
const series = store.series.saveForChannel({ guildId: '111111111111111111', channelId: '222222222222222222', tag: '#BenchChat', timezone: 'America/New_York', schedule: null, settings: {} });
const session = persistSession(store, { series, startsAt: start, questions: ['One?', 'Two?', 'Three?', 'Four?'], questionSetId: null, state: 'running' });

console.log(`building a session of ${MESSAGES.toLocaleString('en-US')} messages…`);
const t0 = performance.now();
store.transaction(() => {
  for (let i = 0; i < MESSAGES; i++) {
    const q = 1 + (i % 4);
    const { message } = store.messages.ingest({
      sessionId: session.id, platformId: String(1_500_000_000_000_000_000n + BigInt(i)), channelId: series.channelId, threadId: null,
      authorId: `u${i % 500}`, authorName: `participant_${i % 500}`, isModerator: i % 50 === 0,
      postedAt: new Date(start.getTime() + Math.floor((i / MESSAGES) * 45 * 60_000)),
      text: `A${q}: answer number ${i}, with "quotes", commas, and an emoji 👍 — ${'lorem ipsum '.repeat(8)}`,
      replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
    });
    store.messages.recordAttribution(message, { kind: 'answer', question: q, via: 'label', label: `A${q}:`, text: message.text });
  }
});
console.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

let failed = false;
for (const format of ['csv', 'json', 'archive'] as RecapFormat[]) {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const fd = openSync('/dev/null', 'w');
  const t = performance.now();
  let bytes = 0;
  let n = 0;
  for (const chunk of exportRecap(store, session.id, format)) {
    writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
    if (++n % 2000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  closeSync(fd);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growth = (peak - base) / 1024 / 1024;
  const ok = growth < MAX_RSS_GROWTH_MB && seconds < MAX_SECONDS;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${format.padEnd(8)} ${(bytes / 1024 / 1024).toFixed(1).padStart(6)} MB written in ${seconds.toFixed(2)} s; resident memory +${growth.toFixed(1)} MB (limit ${MAX_RSS_GROWTH_MB} MB, ${MAX_SECONDS} s)`);
}
store.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
