import type { Clock } from '../domain/clock.ts';
import { openDatabase, type Db } from './db.ts';
import type { StorePort } from './port.ts';
import { SqliteStore } from './sqlite.ts';

export type { StorePort, Repositories, StoreScope, Transaction } from './port.ts';
export { StoreError } from './errors.ts';
export { SqliteStore } from './sqlite.ts';

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
export function openStore(path: string, clock: Clock): Store {
  return createStore(openDatabase(path), clock);
}

/** Where the configuration says the store lives (DATABASE_PATH; see src/config.ts). */
export interface StoreConfig {
  databasePath: string;
}

/**
 * The store the configuration names: the one place that chooses an implementation of the
 * port. Today that is always SQLite at `databasePath` (a file, or ':memory:'); a server
 * database selected by its own setting (DATABASE_URL) belongs here too. Asynchronous
 * because opening a server database is. Throws StoreError when the store cannot be opened.
 */
export async function openConfiguredStore(config: StoreConfig, clock: Clock): Promise<StorePort> {
  return openStore(config.databasePath, clock);
}
