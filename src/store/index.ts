import type { Clock } from '../core/clock.ts';
import { BankStore } from './bank.ts';
import { ControlLogStore } from './control-log.ts';
import { openDatabase, type Db } from './db.ts';
import { MessageStore } from './messages.ts';
import { PromptStore } from './prompts.ts';
import { SeriesStore } from './series.ts';
import { SessionStore } from './sessions.ts';
import { SqliteStore } from './sqlite.ts';

export type { StorePort } from './port.ts';
export { StoreError } from './errors.ts';

/** The database with one store per table group; statements are prepared once, here. */
export interface Store {
  /**
   * The asynchronous port on the same connection (transitional: callers move to it folder by
   * folder; the synchronous repositories below go once none is left).
   */
  port: SqliteStore;
  series: SeriesStore;
  bank: BankStore;
  sessions: SessionStore;
  prompts: PromptStore;
  messages: MessageStore;
  controls: ControlLogStore;
  /** Runs fn in one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * One port per connection: its transaction queue is what keeps transactions apart, so two
 * Stores made on the same connection (a test's restarted bot) share it.
 */
const ports = new WeakMap<Db, SqliteStore>();

export function createStore(db: Db, clock: Clock): Store {
  const port = ports.get(db) ?? new SqliteStore(db, clock);
  ports.set(db, port);
  return {
    port,
    series: new SeriesStore(db, clock),
    bank: new BankStore(db, clock),
    sessions: new SessionStore(db, clock),
    prompts: new PromptStore(db),
    messages: new MessageStore(db),
    controls: new ControlLogStore(db),
    transaction: (fn) => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
}

export function openStore(path: string, clock: Clock): Store {
  return createStore(openDatabase(path), clock);
}
