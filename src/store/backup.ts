/**
 * Copies of an SQLite database: `emcee backup` (taken while the bot runs and writes) and
 * the copy written before a migration changes the file (db.ts). Each copy is one
 * self-contained file (no -wal beside it), made in a temporary file in the destination's
 * folder and renamed into place once complete, so a copy is there whole or not at all.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { FileWriteError, explainWriteError } from '../fs/atomic.ts';
import { StoreError } from './errors.ts';

/** A copy written and checked. */
export interface BackupCopy {
  path: string;
  bytes: number;
  /** PRAGMA user_version of the copy (the source's when the copy was taken). */
  schemaVersion: number;
}

/** The copy written before a migration: where, and the versions before and after. */
export interface MigrationBackup extends BackupCopy {
  fromVersion: number;
  toVersion: number;
}

let counter = 0;
const tempBeside = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
const BUSY_TIMEOUT_MS = 5000;

/**
 * `emcee backup`: a consistent copy of the database at `source`, written to `out`. The copy
 * is taken with SQLite's online backup API in one step: the database is in WAL mode, so the
 * read it takes never blocks the bot's writes (copied in small steps instead, every commit
 * of the bot would restart the copy). The copy is then switched out of WAL mode (one file),
 * checked (PRAGMA integrity_check, and its schema version against the source's), flushed to
 * disk, and only then given its name. `out` must be a new file in a folder that exists;
 * with `force` an existing file is replaced. Throws StoreError about the source and
 * FileWriteError about `out`, each one line; nothing is left behind on failure.
 */
export async function backupDatabase(source: string, out: string, { force = false } = {}): Promise<BackupCopy> {
  checkOut(out, force);
  const db = openSource(source);
  const tmp = tempBeside(out);
  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (err) {
      throw explainSource(source, err);
    }
    try {
      await db.backup(tmp, { progress: () => 0x7fffffff });
    } catch (err) {
      throw explainCopy(source, out, err);
    }
    const copy = verify(tmp, out);
    flush(tmp);
    if (copy.schemaVersion !== version) {
      throw new StoreError(`the copy of ${source} is at schema version ${copy.schemaVersion}, the database at ${version} (it was migrated during the backup?): nothing was written; take the backup again`);
    }
    place(tmp, out, force);
    return { path: out, bytes: statSync(out).size, schemaVersion: copy.schemaVersion };
  } finally {
    db.close();
    removeTemp(tmp);
  }
}

/**
 * The copy written before pending migrations are applied to the file at `path` (called by
 * db.ts inside the write transaction that applies them, so nobody can write between the
 * copy and the migration): `<file>.before-migration-<first pending>.bak` beside it, made
 * with VACUUM INTO on a second, read-only connection (the migration's connection holds its
 * write lock; in WAL mode a reader still reads). An existing copy of that name (from an
 * attempt that failed) is replaced by the fresher one.
 */
export function backupBeforeMigration(path: string, fromVersion: number, toVersion: number): MigrationBackup {
  const target = `${path}.before-migration-${String(fromVersion + 1).padStart(3, '0')}.bak`;
  const tmp = tempBeside(target);
  try {
    const reader = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      reader.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      reader.close();
    }
    flush(tmp);
    renameSync(tmp, target);
    flushFolder(target);
    return { path: target, bytes: statSync(target).size, schemaVersion: fromVersion, fromVersion, toVersion };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StoreError(`cannot migrate ${path}: the copy before the migration (${target}) could not be written: ${reason}. Nothing was changed; free some space or fix the folder's permissions and start again`);
  } finally {
    removeTemp(tmp);
  }
}

/** `out` must name a new file (or, with force, a regular file) in a folder that exists. */
function checkOut(out: string, force: boolean): void {
  if (out.trim() === '') throw new FileWriteError(out, 'EINVAL', 'the path is empty');
  let folder;
  try {
    folder = statSync(dirname(out));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new FileWriteError(out, 'ENOENT', `the folder ${dirname(out)} does not exist (emcee backup creates no folders)`);
    throw explainWriteError(out, err);
  }
  if (!folder.isDirectory()) throw new FileWriteError(out, 'ENOTDIR', `${dirname(out)} is not a folder`);
  let existing;
  try {
    existing = statSync(out);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw explainWriteError(out, err);
  }
  if (existing.isDirectory()) throw new FileWriteError(out, 'EISDIR', 'it is a folder; --out names the backup file, such as backups/emcee.sqlite');
  if (!existing.isFile()) throw new FileWriteError(out, 'EEXIST', 'it exists and is not a regular file');
  if (!force) throw new FileWriteError(out, 'EEXIST', 'it exists already; choose a new name, or add --force to replace it');
}

/** The database to copy: an existing SQLite file, opened without migrating it. */
function openSource(source: string): Database.Database {
  if (source === ':memory:') throw new StoreError('cannot back up :memory:: it is not a file');
  let stat;
  try {
    stat = statSync(source);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new StoreError(`cannot back up ${source}: there is no such file (set DATABASE_PATH or --db to the database)`);
    throw explainSource(source, err);
  }
  if (!stat.isFile()) throw new StoreError(`cannot back up ${source}: it is not a regular file`);
  try {
    const db = new Database(source, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.pragma('schema_version'); // a file that is not a database fails here
    return db;
  } catch (err) {
    throw explainSource(source, err);
  }
}

function explainSource(source: string, err: unknown): Error {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: string }).code ?? '';
  const what = `cannot back up ${source}`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return new StoreError(`${what}: it is not an SQLite database, or it is damaged`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreError(`${what}: it is locked by another process; try again`);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return new StoreError(`${what}: the disk is full`);
  if (code.startsWith('SQLITE_') || code.startsWith('E')) return new StoreError(`${what}: ${(err as Error).message} (${code})`);
  return err as Error;
}

/** A failed copy: the copy's file could not be made or written (its folder, its disk), or the source could not be read. */
function explainCopy(source: string, out: string, err: unknown): Error {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY')) return new FileWriteError(out, code, `its folder cannot be written (${code})`);
  if (code === 'SQLITE_FULL') return new FileWriteError(out, code, `no space left on the device (${code})`);
  if (code.startsWith('SQLITE_IOERR')) return new FileWriteError(out, code, `input/output error (${code})`);
  return explainSource(source, err);
}

/** Opens the copy: one file (journal_mode DELETE), its integrity checked, its version read. */
function verify(tmp: string, out: string): { schemaVersion: number } {
  let copy: Database.Database | null = null;
  try {
    copy = new Database(tmp, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    const problems = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new StoreError(`the copy failed its integrity check (${problems.slice(0, 3).join('; ')}): nothing was written to ${out}`);
    }
    return { schemaVersion: copy.pragma('user_version', { simple: true }) as number };
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw explainWriteError(out, err);
  } finally {
    copy?.close();
  }
}

/** Puts the checked copy in place: renamed over `out` with force, else linked (which refuses a file that appeared meanwhile). */
function place(tmp: string, out: string, force: boolean): void {
  try {
    if (force) renameSync(tmp, out);
    else {
      linkSync(tmp, out);
      rmSync(tmp);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') throw new FileWriteError(out, 'EEXIST', 'it exists already; choose a new name, or add --force to replace it');
    throw explainWriteError(out, err);
  }
  flushFolder(out);
}

function flush(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The rename itself on disk: the folder's entry flushed (best effort: not every file system allows it). */
function flushFolder(path: string): void {
  try {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch { /* not supported here */ }
}

function removeTemp(tmp: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${tmp}${suffix}`, { force: true });
}
