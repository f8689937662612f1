import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

/** Opens (creating if needed) the database, sets it up and brings the schema up to date. */
export function openDatabase(path: string, migrations: readonly Migration[] = allMigrations): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000'); // the CLI and the bot share the file
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies the pending migrations, all in one transaction, tracked by PRAGMA user_version. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`the database schema (version ${current}) is newer than this Emcee (version ${latest}): upgrade Emcee`);
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) db.exec(m.up);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return latest;
}
