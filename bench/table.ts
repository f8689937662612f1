/**
 * The benchmark table as Markdown: printed by `npm run bench` (bench/run.ts) and written into
 * README.md's Performance section from the recorded run (`npm run bench:readme`, from
 * bench/results.json), so that the README shows exactly the reviewed run and never a figure
 * typed by hand. test/bench-readme.test.ts checks that the README's table is that of the file.
 */
import type { BenchResult } from './lib.ts';

export interface RecordedRun {
  machine: { node: string; cpuCount: number; cpuModel: string; totalMemoryMb: number; date: string; quick: boolean };
  durationSeconds: number;
  results: BenchResult[];
  crashes: { task: string; error: string }[];
  skipped: { task: string; reason: string }[];
  /** The load average when the run ended (1, 5, 15 minutes); absent in runs before it was kept. */
  load?: number[];
}

export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = unit === 'msg/s' || unit === 'µs/msg' ? 0 : Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const n = v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '×' ? `${n}×` : `${n} ${unit}`;
}

const targetText = (r: BenchResult) => (r.target ? `${r.target.op} ${formatValue(r.target.value, r.unit)}` : '');

export function verdict(r: BenchResult): string {
  if (r.pass === null || !r.target) return '';
  if (r.pass) return 'ok';
  const { op, value } = r.target;
  const off = op === '<' ? r.value - value : value - r.value;
  const rel = op === '<' ? `${(r.value / value).toFixed(1)}× the target` : `${((r.value / value) * 100).toFixed(0)}% of the target`;
  return `MISS by ${formatValue(off, r.unit)} (${rel})`;
}

/** Every figure of a run (crashed and skipped tasks included) as an aligned Markdown table. */
export function markdownTable(run: Pick<RecordedRun, 'results' | 'crashes' | 'skipped'>): string {
  const rows = run.results.map((r) => [r.benchmark, r.figure, formatValue(r.value, r.unit), targetText(r), verdict(r)]);
  for (const c of run.crashes) rows.push([c.task.split(':')[0]!, c.task, 'CRASHED', '', c.error]);
  for (const k of run.skipped) rows.push([k.task.split(':')[0]!, k.task, 'not run', '', k.reason]);
  const header = ['benchmark', 'figure', 'value', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** The README block: which run, then the table, then how each figure was measured. */
export function readmeBlock(run: RecordedRun): string {
  const m = run.machine;
  const load = run.load ? `, load average ${run.load.map((l) => l.toFixed(1)).join(' / ')} at the end` : '';
  const misses = run.results.filter((r) => r.pass === false).length;
  const head = `Recorded run: ${m.date.slice(0, 10)}, Node ${m.node.replace(/^v/, '')}, ${m.cpuCount}× ${m.cpuModel}, `
    + `${Math.round(m.totalMemoryMb / 1024)} GB, ${Math.round(run.durationSeconds)} s in all${load}${m.quick ? ' (BENCH_QUICK smoke run)' : ''}; `
    + `${run.results.filter((r) => r.pass === true).length} targets met, ${misses} missed`
    + `${run.crashes.length ? `, ${run.crashes.length} task(s) crashed` : ''}${run.skipped.length ? `, ${run.skipped.length} not run` : ''}.`;
  const notes = run.results.filter((r) => r.note).map((r) => `- ${r.benchmark} / ${r.figure}: ${r.note}`);
  return [head, '', markdownTable(run), '', '<details><summary>How each figure was measured</summary>', '', ...notes, '', '</details>'].join('\n');
}

export const README_START = '<!-- bench-table: generated from bench/results.json by `npm run bench:readme`; edit neither by hand -->';
export const README_END = '<!-- /bench-table -->';

/** README text with the block between the markers replaced; an error naming what is missing otherwise. */
export function withReadmeBlock(readme: string, run: RecordedRun): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md: the markers ${README_START} … ${README_END} are missing or out of order`);
  return `${readme.slice(0, start + README_START.length)}\n${readmeBlock(run)}\n${readme.slice(end)}`;
}
