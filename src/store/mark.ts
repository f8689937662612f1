import Database from 'better-sqlite3';

/**
 * The application id in an SQLite file's header (PRAGMA application_id): a mark that travels
 * with the file. The demo marks the databases it creates with it (src/cli/demo/guard.ts), so that
 * it never resets one it did not make. Kept here so that nothing outside src/store opens
 * SQLite itself.
 */

/** Creates the database file at path (which must not exist), marked with id. */
export function createMarkedDatabase(path: string, id: number): void {
  const db = new Database(path);
  try {
    db.pragma(`application_id = ${id}`);
  } finally {
    db.close();
  }
}

/** The mark of an existing SQLite file, read-only; null when it is not a database or cannot be read. */
export function readDatabaseMark(path: string): number | null {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('application_id', { simple: true }) as number;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
