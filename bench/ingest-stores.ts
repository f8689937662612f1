/**
 * The ingest benchmark on both stores: the PostgreSQL bot's rows for the main table, and the
 * side-by-side summary (messages/s, p99 dispatch→committed) printed under it and kept in
 * results.json as `ingestByStore`.
 */
import { INGEST, type IngestFigures } from './ingest.ts';
import { result, type BenchResult, type Target } from './lib.ts';

/** Who set the pace of a throughput phase (see bench/README.md). */
export function paceNote(f: IngestFigures): string {
  const t = f.throughput;
  const bound = t.sandboxWaiting < 0.1 ? 'sandbox-bound: the client kept up' : t.sandboxWaiting > 0.5 ? 'client-bound: the client set the pace' : 'mixed';
  return `client busy ${(t.clientBusy * 100).toFixed(0)}%, sandbox in userSays ${(t.sandboxWork * 100).toFixed(0)}%, window full ${(t.sandboxWaiting * 100).toFixed(0)}% of the time (${bound})`;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** Latency rows of one client at both offered rates (p50, p99; p99.9 and max in the note). */
function latencyRows(who: string, f: IngestFigures, committed: boolean): BenchResult[] {
  const what = committed ? ' (dispatch→committed)' : '';
  return [f.latency, f.latencyHigh].flatMap((l) => {
    const paced = `${n(l.messages)} msgs at ${n(l.offeredRate)}/s offered (achieved ${n(l.achievedRate)}/s)`;
    return [
      result('ingest', `${who}: latency p50 at ${n(l.offeredRate)}/s${what}`, l.p50Ms, 'ms', null, paced),
      result('ingest', `${who}: latency p99 at ${n(l.offeredRate)}/s${what}`, l.p99Ms, 'ms', null, `${paced}; p99.9 ${l.p999Ms.toFixed(1)} ms, max ${l.maxMs.toFixed(1)} ms`),
    ];
  });
}

/**
 * The ingest rows of the main table, with the targets (issue 13), every time target
 * a ratio against a baseline measured in the same run: the bot against the bare client
 * (throughput ≥ 0.8×; p99 at each offered rate ≤ 2× the bare client's; "≤" checked as "<"),
 * PostgreSQL against SQLite (messages/s ≥ 0.5×, p99 ≤ 4×), and RSS growth < 50 MB.
 */
export function ingestRows(bare: IngestFigures | null, bot: IngestFigures | null, pg: IngestFigures | null): BenchResult[] {
  const rows: BenchResult[] = [];
  const load = `${n(INGEST.N)} msgs, ${INGEST.BATCH}/setImmediate, ≤${INGEST.WINDOW} in flight, pre-serialised frames`;
  const msgs = n(INGEST.N + INGEST.M + INGEST.M_HIGH);
  if (bare) rows.push(result('ingest', 'bare client: messages/s', bare.throughput.perSecond, 'msg/s', null, `${load}; ${paceNote(bare)}`));
  if (bot) rows.push(result('ingest', 'bot: messages/s', bot.throughput.perSecond, 'msg/s', null, `${load}; every message stored and attributed; ${paceNote(bot)}`));
  if (bare && bot) {
    const t = bare.throughput;
    // Sandbox-bound, the bare client's own capacity is higher: estimated as its rate over its busy share.
    const capacity = t.perSecond / Math.max(t.clientBusy, 0.01);
    rows.push(result('ingest', 'throughput ratio bot/bare', bot.throughput.perSecond / t.perSecond, '×', atLeast(0.8), t.sandboxWaiting < 0.5
      ? `the bare run was not client-bound (${paceNote(bare)}), so this overstates the bot: against the bare client's estimated capacity (${n(capacity)} msg/s = rate / busy share) it is ${(bot.throughput.perSecond / capacity).toFixed(2)}×`
      : `the bare run was client-bound (window full ${(t.sandboxWaiting * 100).toFixed(0)}% of the time): the bare client set its pace`));
  }
  if (bare) rows.push(...latencyRows('bare', bare, false));
  if (bot) rows.push(...latencyRows('bot', bot, true));
  if (bare && bot) {
    for (const [b, o] of [[bare.latency, bot.latency], [bare.latencyHigh, bot.latencyHigh]] as const) {
      rows.push(result('ingest', `p99 ratio bot/bare at ${n(b.offeredRate)}/s`, o.p99Ms / b.p99Ms, '×', below(2),
        `bot ${o.p99Ms.toFixed(2)} ms ÷ bare ${b.p99Ms.toFixed(2)} ms, the same run; target ≤ 2×`));
    }
  }
  if (bare) rows.push(result('ingest', 'bare: peak RSS growth', bare.rss.growthMb, 'MB', null,
    `over the measured phases (${msgs} msgs); JS heap kept after a full GC: ${(bare.heap.afterGcMb - bare.heap.baseMb).toFixed(1)} MB`));
  if (bot) {
    rows.push(result('ingest', 'bot: peak RSS growth', bot.rss.growthMb, 'MB', below(50), `over the measured phases (${msgs} msgs), from ${bot.rss.baseMb.toFixed(0)} MB`));
    rows.push(result('ingest', 'bot: JS heap kept after run + full GC', bot.heap.afterGcMb - bot.heap.baseMb, 'MB', null,
      `live objects the run left behind (not garbage): ${bot.heap.keptBytesPerMessage.toFixed(0)} B per message; RSS after the GC ${(bot.rss.afterGcMb - bot.rss.baseMb).toFixed(0)} MB over the baseline`));
  }
  return [...rows, ...postgresIngestRows(bot, pg)];
}

/** The PostgreSQL bot's rows, against the SQLite bot of the same run. */
export function postgresIngestRows(sqlite: IngestFigures | null, pg: IngestFigures | null): BenchResult[] {
  if (!pg) return [];
  const server = pg.postgres ? `PostgreSQL ${pg.postgres.version.split(' ')[0]}, fsync ${pg.postgres.fsync}, synchronous_commit ${pg.postgres.synchronousCommit}` : 'PostgreSQL';
  const rows = [
    result('ingest', 'bot on PostgreSQL: messages/s', pg.throughput.perSecond, 'msg/s', null,
      `${n(INGEST.N)} msgs; ${server}, on this machine; every message stored and attributed; ${paceNote(pg)}`),
    ...latencyRows('bot on PostgreSQL', pg, true),
  ];
  if (sqlite) {
    rows.push(
      result('ingest', 'throughput ratio PostgreSQL/SQLite', pg.throughput.perSecond / sqlite.throughput.perSecond, '×', atLeast(0.5),
        `${n(pg.throughput.perSecond)} ÷ ${n(sqlite.throughput.perSecond)} msg/s, the same run`),
      result('ingest', `p99 ratio PostgreSQL/SQLite at ${n(INGEST.RATE)}/s`, pg.latency.p99Ms / sqlite.latency.p99Ms, '×', below(4),
        `${pg.latency.p99Ms.toFixed(2)} ÷ ${sqlite.latency.p99Ms.toFixed(2)} ms; at ${n(INGEST.RATE_HIGH)}/s: ${(pg.latencyHigh.p99Ms / sqlite.latencyHigh.p99Ms).toFixed(2)}×; target ≤ 4×`),
    );
  }
  rows.push(result('ingest', 'bot on PostgreSQL: peak RSS growth', pg.rss.growthMb, 'MB', below(50), `from ${pg.rss.baseMb.toFixed(0)} MB`));
  return rows;
}

const below = (value: number): Target => ({ op: '<', value });
const atLeast = (value: number): Target => ({ op: '>=', value });

type StoreFigures = { messagesPerSecond: number; p99Ms: number; p999Ms: number; achievedRate: number; p99HighMs: number; achievedRateHigh: number } | { notRun: string };
export interface IngestByStore {
  sqlite: StoreFigures;
  postgres: StoreFigures;
}

function figures(f: IngestFigures | null, missing: string): StoreFigures {
  if (!f) return { notRun: missing };
  return {
    messagesPerSecond: f.throughput.perSecond, p99Ms: f.latency.p99Ms, p999Ms: f.latency.p999Ms, achievedRate: f.latency.achievedRate,
    p99HighMs: f.latencyHigh.p99Ms, achievedRateHigh: f.latencyHigh.achievedRate,
  };
}

/** notRun: why PostgreSQL was not run (null: it was, or it crashed). */
export function ingestByStore(sqlite: IngestFigures | null, pg: IngestFigures | null, notRun: string | null): IngestByStore {
  return { sqlite: figures(sqlite, 'crashed (see above)'), postgres: figures(pg, notRun ?? 'crashed (see above)') };
}

export function storeTable(by: IngestByStore): string {
  const p99 = (ms: number, rate: number) => `${ms.toFixed(1)} ms (${n(rate)}/s)`.padStart(20);
  const row = (name: string, f: StoreFigures) => ('notRun' in f
    ? `| ${name.padEnd(10)} | ${f.notRun} |`
    : `| ${name.padEnd(10)} | ${n(f.messagesPerSecond).padStart(10)} | ${p99(f.p99Ms, f.achievedRate)} | ${p99(f.p99HighMs, f.achievedRateHigh)} |`);
  const head = (rate: number) => `p99 at ${n(rate)}/s (achieved)`.padStart(20);
  return [
    'Ingest by store (the same bot, sandbox and N; p99 dispatch→committed at each offered rate):',
    `| store      | messages/s | ${head(INGEST.RATE)} | ${head(INGEST.RATE_HIGH)} |`,
    `|------------|-----------:|---------------------:|---------------------:|`,
    row('SQLite', by.sqlite),
    row('PostgreSQL', by.postgres),
  ].join('\n');
}
