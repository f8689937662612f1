/**
 * A read-only look at the configured database, for `emcee doctor`: which schema version it is
 * at against this build's migrations, and its series. Nothing here migrates, creates or
 * writes: SQLite is opened read-only (a missing file stays missing), PostgreSQL is read in a
 * READ ONLY transaction. (A read-only SQLite connection to a WAL database may leave its empty
 * -wal and -shm files beside it, as any reader does; the database file itself is untouched.)
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { Series } from '../domain/series.ts';
import { StoreError } from './errors.ts';
import type { StoreConfig } from './index.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';
import type { Driver } from './postgres/driver.ts';
import { toSeries } from './series.ts';

export interface SchemaStatus {
  /** False: there is no database yet (no SQLite file; no Emcee tables in PostgreSQL). */
  exists: boolean;
  /** The schema version the database is at (0 when it does not exist). */
  version: number;
  /** This build's latest version. */
  latest: number;
  /** Migrations this build would apply at the next start, in order. */
  pending: { version: number; name: string }[];
  /** The database is at a version this build does not know (an older Emcee opening a newer database). */
  newer: boolean;
}

/** A database opened read-only: its schema status, and (at the current schema) its series. */
export interface StoreInspection {
  status: SchemaStatus;
  series(): Promise<Series[]>;
  close(): Promise<void>;
}

/** What the status of a database at `version` is against `migrations`. Pure. */
export function schemaStatusOf(exists: boolean, version: number, migrations: readonly Migration[] = allMigrations): SchemaStatus {
  const latest = migrations.at(-1)?.version ?? 0;
  return {
    exists, version, latest, newer: version > latest,
    pending: migrations.filter((m) => m.version > version).map(({ version: v, name }) => ({ version: v, name })),
  };
}

/**
 * Opens the store the configuration names, read-only. Throws StoreError (one line, the
 * password masked) when it cannot be read at all.
 */
export async function inspectStore(config: StoreConfig, migrations: readonly Migration[] = allMigrations): Promise<StoreInspection> {
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    const { probePostgres, explainPostgresError } = await import('./postgres/connect.ts'); // node-postgres loads only for a server
    const { pgDriver } = await import('./postgres/driver.ts');
    await probePostgres(url, { connectTimeoutMs: config.connectTimeoutMs });
    const driver = pgDriver(url, { max: 1 });
    try {
      return await inspectPostgres(driver, migrations);
    } catch (err) {
      await driver.end().catch(() => {});
      throw explainPostgresError(url, err);
    }
  }
  return inspectSqlite(config.databasePath, migrations);
}

export function inspectSqlite(path: string, migrations: readonly Migration[] = allMigrations): StoreInspection {
  const none: StoreInspection = { status: schemaStatusOf(false, 0, migrations), series: async () => [], close: async () => {} };
  if (path === ':memory:' || !existsSync(path)) return none;
  if (!statSync(path).isFile()) throw new StoreError(`cannot use the database ${path}: it is not a file; DATABASE_PATH (or --db) must name a database file`);
  let db: Database.Database;
  let version: number;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`cannot read the database ${path}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  try {
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code ?? '';
    throw new StoreError(code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')
      ? `cannot read the database ${path}: it is not an SQLite database, or it is damaged; restore it from a backup, or set DATABASE_PATH to another file`
      : `cannot read the database ${path}: ${code || (err as Error).message}`);
  }
  return {
    status: schemaStatusOf(true, version, migrations),
    series: async () => (db.prepare('SELECT * FROM series ORDER BY id').all() as never[]).map(toSeries),
    close: async () => void db.close(),
  };
}

/** The same look at a PostgreSQL database (a server's pgDriver, or PGlite's in tests); the driver is ended by close(). */
export async function inspectPostgres(driver: Driver, migrations: readonly Migration[] = allMigrations): Promise<StoreInspection> {
  const read = async <R>(fn: (q: (sql: string) => Promise<R[]>) => Promise<R[]>): Promise<R[]> => {
    const c = await driver.connect();
    try {
      await c.query('BEGIN READ ONLY');
      try {
        return await fn(async (sql) => (await c.query<R>(sql)).rows);
      } finally {
        await c.query('ROLLBACK');
      }
    } finally {
      c.release();
    }
  };
  const versions = await read<{ v: number | null; present: boolean }>(async (q) => {
    const [table] = await q("SELECT to_regclass('emcee_migrations') IS NOT NULL AS present, NULL::int AS v");
    return table!.present ? q('SELECT true AS present, max(version) AS v FROM emcee_migrations') : [table!];
  });
  const present = Boolean(versions[0]!.present);
  return {
    status: schemaStatusOf(present, versions[0]!.v ?? 0, migrations),
    series: async () => (await read<Record<string, unknown>>((q) => q('SELECT * FROM series ORDER BY id'))).map((r) => toSeries(r as never)),
    close: () => driver.end(),
  };
}
