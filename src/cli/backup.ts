import { backupDatabase } from '../store/backup.ts';
import { CliError, line, type CliIo } from './io.ts';

/** Where the database to back up is: an SQLite file, or a PostgreSQL server (pg_dump's job). */
export interface BackupSource {
  /** --db, or else DATABASE_PATH (or its default) when DATABASE_URL is not set. */
  databasePath: string;
  /** DATABASE_URL; ignored when --db names a file. */
  databaseUrl: string | undefined;
  fromDbOption: boolean;
}

/**
 * `emcee backup --out FILE [--force] [--db PATH]`: a checked copy of the SQLite database,
 * taken while the bot runs (src/store/backup.ts). PostgreSQL is pg_dump's job: one line
 * says so, with the command.
 */
export async function backupCommand(io: CliIo, source: BackupSource, out: string | undefined, force: boolean): Promise<void> {
  if (!source.fromDbOption && source.databaseUrl) {
    throw new CliError('emcee backup copies SQLite files, and this Emcee uses PostgreSQL (DATABASE_URL): back it up with pg_dump, for example pg_dump --format=custom --file=emcee.dump "$DATABASE_URL" (README: Backups)');
  }
  if (out === undefined) throw new CliError('backup needs --out FILE, the new file to write: emcee backup --out backups/emcee-2026-12-02.sqlite', 2);
  const copy = await backupDatabase(source.databasePath, out, { force });
  line(io.stdout, `backed up ${source.databasePath} to ${copy.path}: ${formatBytes(copy.bytes)}, schema version ${copy.schemaVersion}, integrity ok`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
