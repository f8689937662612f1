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
  const bound = t.sandboxWaiting < 0.1 ? 'sandbox-bound: the client kept up' : t.sandboxWaiting > 0.5 ? 'client-bound' : 'mixed';
  return `client busy ${(t.clientBusy * 100).toFixed(0)}%, sandbox in userSays ${(t.sandboxWork * 100).toFixed(0)}%, window full ${(t.sandboxWaiting * 100).toFixed(0)}% of the time (${bound})`;
}

/** The PostgreSQL bot's rows, with the same targets as the SQLite bot's. */
export function postgresIngestRows(bare: IngestFigures | null, pg: IngestFigures | null): BenchResult[] {
  if (!pg) return [];
  const server = pg.postgres ? `PostgreSQL ${pg.postgres.version.split(' ')[0]}, fsync ${pg.postgres.fsync}, synchronous_commit ${pg.postgres.synchronousCommit}` : 'PostgreSQL';
  const paced = `${INGEST.M.toLocaleString('en-US')} msgs at ${INGEST.RATE}/s`;
  const rows = [
    result('ingest', 'bot on PostgreSQL: messages/s', pg.throughput.perSecond, 'msg/s', null,
      `${INGEST.N.toLocaleString('en-US')} msgs; ${server}, on this machine; every message stored and attributed; ${paceNote(pg)}`),
  ];
  if (bare) rows.push(result('ingest', 'throughput ratio bot on PostgreSQL/bare', pg.throughput.perSecond / bare.throughput.perSecond, '×', atLeast(0.8)));
  rows.push(
    result('ingest', 'bot on PostgreSQL: latency p50 (dispatch→committed)', pg.latency.p50Ms, 'ms', null, paced),
    result('ingest', 'bot on PostgreSQL: latency p99 (dispatch→committed)', pg.latency.p99Ms, 'ms', below(5),
      `${paced} (achieved ${pg.latency.achievedRate.toFixed(0)}/s); p99.9 ${pg.latency.p999Ms.toFixed(1)} ms, max ${pg.latency.maxMs.toFixed(1)} ms`),
    result('ingest', 'bot on PostgreSQL: peak RSS growth', pg.rss.growthMb, 'MB', below(50), `from ${pg.rss.baseMb.toFixed(0)} MB`),
  );
  return rows;
}

const below = (value: number): Target => ({ op: '<', value });
const atLeast = (value: number): Target => ({ op: '>=', value });

type StoreFigures = { messagesPerSecond: number; p99Ms: number; p999Ms: number; achievedRate: number } | { notRun: string };
export interface IngestByStore {
  sqlite: StoreFigures;
  postgres: StoreFigures;
}

function figures(f: IngestFigures | null, missing: string): StoreFigures {
  if (!f) return { notRun: missing };
  return { messagesPerSecond: f.throughput.perSecond, p99Ms: f.latency.p99Ms, p999Ms: f.latency.p999Ms, achievedRate: f.latency.achievedRate };
}

/** notRun: why PostgreSQL was not run (null: it was, or it crashed). */
export function ingestByStore(sqlite: IngestFigures | null, pg: IngestFigures | null, notRun: string | null): IngestByStore {
  return { sqlite: figures(sqlite, 'crashed (see above)'), postgres: figures(pg, notRun ?? 'crashed (see above)') };
}

export function storeTable(by: IngestByStore): string {
  const row = (name: string, f: StoreFigures) => ('notRun' in f
    ? `| ${name.padEnd(10)} | ${f.notRun} |`
    : `| ${name.padEnd(10)} | ${Math.round(f.messagesPerSecond).toLocaleString('en-US').padStart(10)} | ${`${f.p99Ms.toFixed(1)} ms`.padStart(22)} | ${`${f.achievedRate.toFixed(0)}/s`.padStart(21)} |`);
  return [
    `Ingest by store (the same bot, sandbox and N; latency at ${INGEST.RATE}/s offered):`,
    `| store      | messages/s | p99 dispatch→committed | latency rate achieved |`,
    `|------------|-----------:|-----------------------:|----------------------:|`,
    row('SQLite', by.sqlite),
    row('PostgreSQL', by.postgres),
  ].join('\n');
}
