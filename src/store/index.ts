import type { Clock } from '../domain/clock.ts';
import type { MigrationBackup } from './backup.ts';
import { openDatabase, type Db } from './db.ts';
import type { StorePort } from './port.ts';
import { SqliteStore } from './sqlite.ts';
import { maskUrl } from './postgres/url.ts';

export type { StorePort, Repositories, StoreScope, Transaction } from './port.ts';
export { StoreError } from './errors.ts';
export { SqliteStore } from './sqlite.ts';
export type { MigrationBackup } from './backup.ts';

/** What opening a store may have to tell (its caller logs it, or prints it at the terminal). */
export interface OpenNotices {
  /** An SQLite file was copied before its pending migrations were applied. */
  migrationBackup?(backup: MigrationBackup): void;
}

/**
 * The store Emcee runs on: the SQLite implementation of the port (src/store/port.ts). The
 * synchronous classes in series.ts, bank.ts, sessions.ts, prompts.ts, messages.ts and
 * control-log.ts hold its prepared statements; only sqlite.ts uses them.
 */
export type Store = SqliteStore;

/**
 * One store per connection: its transaction queue is what keeps transactions apart, so two
 * stores made on the same connection (a test's restarted bot) are the same one.
 */
const stores = new WeakMap<Db, SqliteStore>();

/** The store of an open connection (tests of the store's own files). */
export function createStore(db: Db, clock: Clock): Store {
  const store = stores.get(db) ?? new SqliteStore(db, clock);
  stores.set(db, store);
  return store;
}

/** Opens (creating if needed) an SQLite file, or ':memory:', with the schema brought up to date. */
export function openStore(path: string, clock: Clock, notices: OpenNotices = {}): Store {
  return createStore(openDatabase(path, undefined, { onMigrationBackup: notices.migrationBackup?.bind(notices) }), clock);
}

/** Where the configuration says the store lives (see src/config.ts). */
export interface StoreConfig {
  /** SQLite: a file, or ':memory:' (DATABASE_PATH); used when databaseUrl is not set. */
  databasePath: string;
  /** PostgreSQL: postgres://… (DATABASE_URL); when set, it is the store. */
  databaseUrl?: string | undefined;
  /** How long a PostgreSQL server may take to answer before opening fails (default 10 s). */
  connectTimeoutMs?: number;
}

/**
 * The store the configuration names: the one place that chooses an implementation of the
 * port. PostgreSQL when databaseUrl is set (the server must answer, let the login in, and
 * its schema is brought up to date), else SQLite at databasePath. Asynchronous because
 * opening a server database is. Throws StoreError, one line with the password masked, when
 * the store cannot be opened.
 */
export async function openConfiguredStore(config: StoreConfig, clock: Clock, notices: OpenNotices = {}): Promise<StorePort> {
  if (config.databaseUrl) {
    const { openServerStore } = await import('./postgres/connect.ts'); // node-postgres loads only for a server
    return openServerStore(config.databaseUrl, clock, { connectTimeoutMs: config.connectTimeoutMs });
  }
  return openStore(config.databasePath, clock, notices);
}

/** Which store the configuration names, for logs: `PostgreSQL postgres://emcee:***@host/db` or `SQLite data/emcee.sqlite`. */
export function describeStore(config: StoreConfig): string {
  return config.databaseUrl ? `PostgreSQL ${maskUrl(config.databaseUrl)}` : `SQLite ${config.databasePath}`;
}
