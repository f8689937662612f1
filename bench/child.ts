/**
 * One benchmark task in a fresh process, forked by bench/run.ts (each task gets a clean heap
 * and its own resident memory). `node --expose-gc --import tsx bench/child.ts <task> [args]`
 * also runs a task alone and prints its figures.
 */
import type { RecapFormat } from '../src/recap/index.ts';
import { sendFigures } from './lib.ts';
import type { RecapDatabase } from './recap.ts';

const [task, ...args] = process.argv.slice(2);

async function run(): Promise<unknown> {
  switch (task) {
    // Imported per task, so that a task's process loads only what it needs (a recap export
    // does not carry discord.js in its resident memory).
    case 'ingest':
      // `ingest bot-postgres <postgres://…>`; `ingest bot [pragma…]`; `ingest bare`.
      return args[0] === 'bot-postgres'
        ? (await import('./ingest.ts')).runIngest('bot-postgres', { postgresUrl: args[1] })
        : (await import('./ingest.ts')).runIngest(args[0] as 'bare' | 'bot', { pragmas: args.slice(1) });
    case 'replay':
      return (await import('./replay.ts')).runReplay();
    case 'recap-build':
      return (await import('./recap.ts')).buildRecapDatabase(args[0]!);
    case 'recap-export':
      return (await import('./recap.ts')).runRecapExport(JSON.parse(args[0]!) as RecapDatabase, args[1] as RecapFormat);
    case 'scheduler':
      return (await import('./scheduler.ts')).runScheduler();
    case 'top-of-hour':
      return (await import('./top-of-hour.ts')).runTopOfHour();
    case 'scheduler-scale':
      return (await import('./scheduler-scale.ts')).runSchedulerScale();
    case 'ingest-core':
      return (await import('./diagnose.ts')).runIngestCore({ storage: args[0] as 'disk' | 'memory', history: Number(args[1] ?? 0) });
    default:
      throw new Error(`unknown benchmark task "${task}"`);
  }
}

const figures = await run();
await sendFigures(figures);
// Nothing may keep the process alive (the bot's handles are closed by then; be sure).
process.exit(0);
