import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CliError } from '../io.ts';
import { ensureDir } from '../../fs/atomic.ts';
import { createMarkedDatabase, readDatabaseMark } from '../../store/mark.ts';

/**
 * What the demo may reset and where its output goes.
 *
 * Decision: the demo marks every database it creates with SQLite's PRAGMA application_id
 * (a number in the file's header, so the mark travels with the file) and resets a database
 * only when it carries that mark. A new path is created and marked; anything else (a real
 * database with imported sessions, a file that is not a database, a database made by an
 * older demo) is refused with one line and left untouched.
 *
 * Its recaps and site go into "<database path without .sqlite>-output/" (data/demo-output/
 * for the default data/demo.sqlite), a folder the demo owns: it is created with a marker
 * file, and a non-empty folder of that name without the marker is refused before starting.
 */

/** "EMDM" */
export const DEMO_APPLICATION_ID = 0x454d444d;
const OUTPUT_MARKER = '.emcee-demo';

/** Deletes the demo database at `path` if the demo made it, then creates it afresh, marked. */
export function resetDemoDatabase(path: string): void {
  if (existsSync(path)) {
    if (!isDemoDatabase(path)) {
      throw new CliError(`${path} is not a demo database (the demo resets only databases it created itself, and this one would lose everything in it); give --db a new file, or leave --db out`);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
  ensureDir(dirname(path));
  try {
    createMarkedDatabase(path, DEMO_APPLICATION_ID);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(`cannot create the demo database ${path}: ${(err as Error).message}${code ? ` (${code})` : ''}`);
  }
}

function isDemoDatabase(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
  } catch {
    return false;
  }
  // Not a database, or unreadable: not the demo's.
  return readDatabaseMark(path) === DEMO_APPLICATION_ID;
}

/** The demo's output folder for this database; refused (before anything starts) if it is someone else's. */
export function demoOutputDir(databasePath: string): string {
  const ext = extname(databasePath);
  const base = ext === '.sqlite' || ext === '.sqlite3' || ext === '.db' ? basename(databasePath, ext) : basename(databasePath);
  const dir = join(dirname(databasePath), `${base}-output`);
  if (existsSync(dir)) {
    const ours = existsSync(join(dir, OUTPUT_MARKER));
    if (!ours && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
      throw new CliError(`${dir} is not empty and was not made by the demo; the demo writes its recaps and site there, so move it away or give --db another name`);
    }
  }
  return dir;
}

/** Creates the output folder with its marker. */
export function claimOutputDir(dir: string): void {
  ensureDir(dir);
  writeFileSync(join(dir, OUTPUT_MARKER), 'This folder is written by `emcee demo`; each run replaces its recaps and site.\n');
}
