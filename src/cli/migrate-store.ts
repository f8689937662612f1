import { systemClock } from '../domain/clock.ts';
import { migrateStore } from '../store/migrate-store.ts';
import { maskUrl, postgresUrlProblem } from '../store/postgres/url.ts';
import { plural } from './bank.ts';
import { CliError, line, type CliIo } from './io.ts';

export interface MigrateStoreFlags {
  /** The SQLite file (--from, default DATABASE_PATH's data/emcee.sqlite). */
  from: string;
  /** The PostgreSQL URL (--to, default DATABASE_URL). */
  to: string | undefined;
}

/**
 * `emcee migrate-store --from data/emcee.sqlite --to postgres://…`: copies the SQLite
 * database into an empty PostgreSQL one, ids and history intact (src/store/migrate-store.ts).
 * Progress (rows per table) on stderr; the summary on stdout; the password never shown.
 */
export async function migrateStoreCommand(io: CliIo, { from, to }: MigrateStoreFlags, clock = systemClock): Promise<void> {
  if (to === undefined) throw new CliError('migrate-store needs the PostgreSQL database: --to postgres://user:password@host:5432/emcee (or DATABASE_URL)', 2);
  const problem = postgresUrlProblem(to);
  if (problem !== null) throw new CliError(`--to ${problem} (the value is not shown: it may hold a password)`, 2);
  line(io.stderr, `copying ${from} into PostgreSQL ${maskUrl(to)}`);
  const report = await migrateStore(from, to, {
    clock,
    onProgress: (table, copied, total) => line(io.stderr, `  ${table}: ${copied}/${total} rows`),
  });
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  line(io.stdout, `copied ${plural(rows, 'row')} in ${plural(report.tables.length, 'table')} (schema version ${report.version}) from ${from} into ${maskUrl(to)}`);
  line(io.stdout, `to run on it: set DATABASE_URL to that URL and unset DATABASE_PATH. ${from} was not changed.`);
}
