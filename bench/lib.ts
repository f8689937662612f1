/**
 * Shared pieces of the benchmark suite: result records, targets, memory sampling,
 * percentiles, machine info, and the protocol between `bench/run.ts` and its child processes.
 */
import { cpus, platform, release, totalmem, arch } from 'node:os';
import pino from 'pino';

/** Smoke-run mode: every N shrinks so the whole suite finishes in well under a minute. */
export const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';

/** A logger that drops everything: the benchmarks measure Emcee, not log I/O. */
export const silentLog = pino({ level: 'silent' });

export const MB = 1024 * 1024;

export interface Target {
  /** '<': the value must stay below `value`; '>=': it must reach it. */
  op: '<' | '>=';
  value: number;
}

export interface BenchResult {
  /** Benchmark group: ingest, replay, recap, scheduler. */
  benchmark: string;
  /** What the figure is, e.g. "bot messages/s". */
  figure: string;
  value: number;
  unit: string;
  target: Target | null;
  /** null when the figure has no target (context only). */
  pass: boolean | null;
  /** How it was measured (N, rate, …) — printed under the table and kept in results.json. */
  note?: string;
}

export function result(benchmark: string, figure: string, value: number, unit: string, target: Target | null = null, note?: string): BenchResult {
  const pass = target === null ? null : target.op === '<' ? value < target.value : value >= target.value;
  return { benchmark, figure, value, unit, target, pass, ...(note ? { note } : {}) };
}

/** Samples the resident set size every `everyMs` (and on demand) and keeps the peak. */
export class RssSampler {
  readonly base: number;
  peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 5) {
    this.base = process.memoryUsage.rss();
    this.peak = this.base;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) {
      this.peak = rss;
      if (process.env.BENCH_MEMORY_DEBUG) this.atPeak = process.memoryUsage();
    }
  }

  /** BENCH_MEMORY_DEBUG=1 (diagnostics): process.memoryUsage() at the moment of the peak. */
  atPeak: NodeJS.MemoryUsage | null = null;

  stop(): { baseMb: number; peakMb: number; growthMb: number } {
    clearInterval(this.timer);
    this.sample();
    return { baseMb: this.base / MB, peakMb: this.peak / MB, growthMb: (this.peak - this.base) / MB };
  }
}

/** Full garbage collection, twice (weak references and finalizers get a second pass). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmarks with node --expose-gc (npm run bench does)');
  gc();
  gc();
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    totalMemoryMb: Math.round(totalmem() / MB),
    date: new Date().toISOString(),
    quick: QUICK,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits (polling every few ms of real time) until check() is truthy. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** What a child process sends to bench/run.ts over IPC: the raw figures of its task. */
export interface ChildMessage {
  kind: 'figures';
  figures: unknown;
}

/** In a child process: hands the task's figures to the parent (or prints them when run directly). */
export function sendFigures(figures: unknown): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(figures, null, 2));
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    process.send!({ kind: 'figures', figures } satisfies ChildMessage, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** A line of progress on stderr (stdout stays free), tagged with the task. */
export function progress(task: string, line: string): void {
  process.stderr.write(`  [${task}] ${line}\n`);
}
