/** What a repository call of the PostgreSQL store gets: statements on the session it runs in. */
export interface Db {
  rows<R>(text: string, params?: unknown[]): Promise<R[]>;
  /** The first row, or null. */
  one<R>(text: string, params?: unknown[]): Promise<R | null>;
  /** Runs a statement; how many rows it changed. */
  run(text: string, params?: unknown[]): Promise<number>;
  /** fn's statements land together or not at all: a transaction, or a savepoint inside one. */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
}

/** Runs one repository call: outside a transaction it waits its turn; inside one it joins it. */
export type Run = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
