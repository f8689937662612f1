/**
 * The PostgreSQL store: the second implementation of the store port (src/store/port.ts),
 * for deployments that share one database between several processes (issue 12). Selected
 * by DATABASE_URL in a later step; SQLite stays the default.
 *
 *   openPostgresStore('postgres://user@host/db', clock)   a server, through node-postgres
 *   openPgliteStore(pglite, clock)                         PGlite in this process (tests)
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Clock } from '../../domain/clock.ts';
import { pgDriver, type PgDriverOptions } from './driver.ts';
import { pgliteDriver } from './pglite.ts';
import { PostgresStore, type PostgresStoreOptions } from './store.ts';

export { PostgresStore, type PostgresStoreOptions } from './store.ts';
export { postgresMigrations } from './migrations/index.ts';

export type PostgresOpenOptions = PostgresStoreOptions & PgDriverOptions;

/** Opens the database at url (postgres://…), brings its schema up to date, and returns the store. */
export function openPostgresStore(url: string, clock: Clock, { schema, max, ...options }: PostgresOpenOptions = {}): Promise<PostgresStore> {
  return PostgresStore.open(pgDriver(url, { schema, max }), clock, schema ?? null, options);
}

export interface PgliteOpenOptions extends PostgresStoreOptions {
  /** Tables live in this schema, made if missing (default: public). */
  schema?: string;
}

/**
 * The same store on a PGlite database (PostgreSQL in WASM, in this process; several stores
 * may share one): `npm test` exercises the PostgreSQL SQL without a server. The caller
 * makes the instance (`await PGlite.create()`): @electric-sql/pglite is a devDependency.
 */
export function openPgliteStore(db: PGlite, clock: Clock, { schema, ...options }: PgliteOpenOptions = {}): Promise<PostgresStore> {
  return PostgresStore.open(pgliteDriver(db, schema), clock, schema ?? null, options);
}
