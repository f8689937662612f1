import type { Clock } from '../domain/clock.ts';
import { openDatabase, type Db } from './db.ts';
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
