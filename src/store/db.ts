import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { backupBeforeMigration, type MigrationBackup } from './backup.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

import { StoreError } from './errors.ts';

export { StoreError };

/** How long to wait for another process's write to finish (the CLI and the bot share the file). */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  busyTimeoutMs?: number;
  /** Told where the copy went when one was written before migrating (see migrate). */
  onMigrationBackup?: ((backup: MigrationBackup) => void) | undefined;
}

/**
 * Opens (creating if needed) the database, sets it up and brings the schema up to date.
 * A corrupt, locked or read-only file gives a StoreError naming it, and is left as it was.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = allMigrations, { busyTimeoutMs = BUSY_TIMEOUT_MS, onMigrationBackup }: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (path !== ':memory:') {
      checkPath(path);
      mkdirSync(dirname(path), { recursive: true });
    }
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (err) {
    throw explain(path, err);
  }
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      // Read first: a file that is not a database fails here, before anything is written.
      db.pragma('schema_version');
      db.pragma('journal_mode = WAL');
      // With WAL, NORMAL is SQLite's recommended setting: no fsync per commit, and a crash of
      // the process (kill -9) loses nothing committed; only a power cut can lose the last few.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      migrate(db, migrations, path === ':memory:' ? undefined : (from, to) => {
        const backup = backupBeforeMigration(path, from, to);
        onMigrationBackup?.(backup);
      });
      return db;
    } catch (err) {
      // Some of SQLite's locks answer BUSY at once, without the busy handler (a new file
      // switched to WAL, or its first migration, by another process at the same moment: 1 of
      // 8 processes opening a new file in a CI run): tried again within the same timeout.
      if (isBusy(err) && performance.now() - started < busyTimeoutMs) {
        Atomics.wait(SLEEP, 0, 0, Math.min(25 * 2 ** Math.min(attempt, 4), busyTimeoutMs));
        continue;
      }
      db.close();
      throw explain(path, err);
    }
  }
}

/** A shared word nothing ever notifies: Atomics.wait on it sleeps (openDatabase is synchronous). */
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * What can be told about the path before SQLite touches it: it must be a regular file (or
 * not exist yet), and one that can be written. SQLite would open a device as a database
 * (/dev/null: "disk I/O error"), and silently opens a file it cannot write read-only, so
 * that only the first write would fail, in the middle of a command.
 */
function checkPath(path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a new database
    throw err;
  }
  const what = `cannot use the database ${path}`;
  if (stat.isDirectory()) throw new StoreError(`${what}: it is a directory; DATABASE_PATH (or --db) must name a database file, such as ${path.replace(/\/+$/, '')}/emcee.sqlite`);
  if (!stat.isFile()) throw new StoreError(`${what}: it is not a regular file (a device, FIFO or socket); DATABASE_PATH (or --db) must name a database file`);
  accessSync(path, constants.R_OK | constants.W_OK); // EACCES / EPERM (immutable) / EROFS: explained below
}

function explain(path: string, err: unknown): Error {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: string }).code ?? '';
  const what = `cannot use the database ${path}`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`${what}: it is not an SQLite database, or it is damaged. Nothing was changed; restore it from a backup, or set DATABASE_PATH to another file.`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(`${what}: it is locked by another process (another Emcee, or a tool holding a write). Nothing was changed; try again when it is done.`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new StoreError(`${what}: it cannot be written (read-only file or folder, or no permission). Nothing was changed; check its permissions.`);
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new StoreError(`${what}: a part of its folder path is a file, not a folder. Nothing was changed; set DATABASE_PATH (or --db) to a path in a folder.`);
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return new StoreError(`${what}: the disk is full. Nothing was changed; free some space and try again.`);
  }
  return err as Error;
}

/**
 * Applies the pending migrations, all in one transaction, tracked by PRAGMA user_version.
 * The version is read again inside the BEGIN IMMEDIATE that applies them: several processes
 * opening a new database at once queue on that write lock (the busy timeout applies), and
 * each one after the first finds the schema already current. The read before it only
 * spares an up-to-date database a write lock at every open.
 *
 * `backup` (a file's, see backup.ts) is called inside that transaction before the first
 * pending migration runs, unless the database is new (no tables yet): a copy of the file as
 * it was. When it throws, nothing is migrated.
 */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations, backup?: (from: number, to: number) => void): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const check = (): number => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new StoreError(`the database schema (version ${current}) is newer than this Emcee (version ${latest}): upgrade Emcee`);
    }
    return current;
  };
  if (check() === latest) return latest;
  db.transaction(() => {
    const current = check();
    if (current !== latest && backup && db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get() !== undefined) backup(current, latest);
    for (const m of migrations.filter((m) => m.version > current)) db.exec(m.up);
    if (current !== latest) db.pragma(`user_version = ${latest}`);
  }).immediate();
  return latest;
}
