/**
 * Diagnostics (BENCH_DIAGNOSE=1; not part of the targets): the bot's per-message work
 * without Discord — LiveIngest.messageCreated called in a loop on a store — to locate where
 * the ingest time goes and how it scales with the channel's history.
 *
 *   storage   'disk' (a file in a temp dir, as the bot runs) or 'memory' (':memory:': no I/O)
 *   history   ended sessions already in the channel (52 = a year of a weekly chat)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ManualClock } from '../src/domain/clock.ts';
import { persistSession } from '../src/live/persist.ts';
import { LiveIngest } from '../src/live/ingest.ts';
import { openStore } from '../src/store/index.ts';
import { answerText } from './ingest-text.ts';
import { QUICK, fullGc, percentile, progress, silentLog } from './lib.ts';

export interface IngestCoreOptions {
  storage: 'disk' | 'memory';
  history: number;
}

export interface IngestCoreFigures extends IngestCoreOptions {
  messages: number;
  microsPerMessage: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  heapRetainedBytesPerMessage: number;
}

export async function runIngestCore({ storage, history }: IngestCoreOptions): Promise<IngestCoreFigures> {
  // Fewer messages with a long history: each one then costs milliseconds.
  const N = QUICK ? 3_000 : history > 100 ? 5_000 : 30_000;
  const WARMUP = 1_000;
  const start = new Date('2026-11-23T23:30:00Z');
  const clock = new ManualClock(start);
  const dir = mkdtempSync(`${tmpdir()}/emcee-bench-core-`);
  const store = openStore(storage === 'memory' ? ':memory:' : `${dir}/core.sqlite`, clock);
  const port = store;
  const series = await port.series.saveForChannel({ guildId: 'g', channelId: 'c', tag: '#BenchChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const questions = ['One?', 'Two?', 'Three?', 'Four?'];
  await port.transaction(async (tx) => {
    for (let k = 1; k <= history; k++) {
      const s = await persistSession(tx, { series, startsAt: new Date(start.getTime() - k * 7 * 86_400_000), questions, questionSetId: null, state: 'ended' });
      await tx.sessions.setState(s.id, 'ended', { endedAt: new Date(s.startsAt.getTime() + 45 * 60_000) });
    }
  });
  await persistSession(port, { series, startsAt: start, questions, questionSetId: null, state: 'running' });
  const ingest = new LiveIngest({ store: port, log: silentLog });
  progress('diagnose', `LiveIngest alone: ${storage}, ${history} past sessions, ${N.toLocaleString('en-US')} messages`);

  let i = 0;
  const one = async (): Promise<void> => {
    clock.advance(10);
    const r = await ingest.messageCreated({
      id: String(1_400_000_000_000_000_000n + BigInt(i)), channelId: 'c', threadId: null, authorId: `u${i % 200}`, authorName: `author_${i % 200}`,
      moderator: false, fromSelf: false, at: clock.now(), text: answerText(i), replyToId: null,
    });
    if (r?.attribution?.kind !== 'answer') throw new Error(`diagnose: message ${i} was not attributed as an answer`);
    i++;
  };
  for (let k = 0; k < WARMUP; k++) await one();
  fullGc();
  const heap0 = process.memoryUsage().heapUsed;
  const d = new Float64Array(N);
  const t0 = performance.now();
  for (let k = 0; k < N; k++) {
    const s = performance.now();
    await one();
    d[k] = performance.now() - s;
  }
  const seconds = (performance.now() - t0) / 1000;
  fullGc();
  const retained = (process.memoryUsage().heapUsed - heap0) / N;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  d.sort();
  return {
    storage, history, messages: N, microsPerMessage: (seconds * 1e6) / N,
    p50Ms: percentile(d, 50), p99Ms: percentile(d, 99), p999Ms: percentile(d, 99.9), maxMs: d[N - 1]!, heapRetainedBytesPerMessage: retained,
  };
}
