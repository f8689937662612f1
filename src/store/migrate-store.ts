/**
 * `emcee migrate-store`: a whole SQLite database copied into PostgreSQL, ids and history
 * intact. The source is opened read-only and must be at this Emcee's schema version; the
 * target is brought to the same version and must hold no rows; then every table, every
 * column, is copied in dependency order in one PostgreSQL transaction (a failure leaves the
 * target empty). Which tables and columns there are is read from the SQLite file itself, so
 * a future migration's tables are copied without edits here.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { Clock } from '../domain/clock.ts';
import { StoreError } from './errors.ts';
import { migrations } from './migrations/index.ts';
import { probePostgres, explainPostgresError, type ConnectOptions } from './postgres/connect.ts';
import { copyTables, firstNonEmptyTable, type CopyProgress, type SourceTable } from './postgres/copy.ts';
import { pgDriver, type Driver } from './postgres/driver.ts';
import { migrate as migratePostgres } from './postgres/migrations/index.ts';
import { describeTarget, maskUrl } from './postgres/url.ts';

export type { CopyProgress } from './postgres/copy.ts';

export interface MigrateStoreOptions extends ConnectOptions {
  clock: Clock;
  /** Tables live in this schema of the target, made if missing (default: the server's search_path). */
  schema?: string;
  /** Called as rows are copied (every 10,000 rows of a table, and when it is done). */
  onProgress?: CopyProgress;
}

export interface MigrateStoreReport {
  /** The schema version both databases are at. */
  version: number;
  /** Rows copied per table, in the order they were copied. */
  tables: { table: string; rows: number }[];
}

/**
 * Copies the SQLite database at from into the PostgreSQL database to: a postgres:// URL, or
 * a driver the caller made (and ends). Throws StoreError, one line, when it cannot.
 */
export async function migrateStore(from: string, to: string | Driver, options: MigrateStoreOptions): Promise<MigrateStoreReport> {
  const source = openSource(from);
  try {
    // One read transaction: every table is read from the same snapshot, even if a bot writes meanwhile.
    source.exec('BEGIN');
    const tables = sourceTables(source);
    if (typeof to !== 'string') return await copyInto(to, tables, options);
    await probePostgres(to, options);
    const driver = pgDriver(to, { schema: options.schema, max: 1 });
    try {
      return await copyInto(driver, tables, options);
    } catch (err) {
      if (err instanceof StoreError) throw new StoreError(`${err.message} (target: PostgreSQL ${describeTarget(to)}, ${maskUrl(to)})`);
      throw explainPostgresError(to, err);
    } finally {
      await driver.end().catch(() => {});
    }
  } finally {
    source.close();
  }
}

/** The source, read-only, checked to be an SQLite database at this Emcee's schema version. */
function openSource(path: string): Database.Database {
  const what = `cannot copy from ${path}`;
  if (!existsSync(path)) throw new StoreError(`${what}: there is no such file (--from names the SQLite database, such as data/emcee.sqlite)`);
  if (!statSync(path).isFile()) throw new StoreError(`${what}: it is not a file (--from names the SQLite database, such as data/emcee.sqlite)`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`${what}: ${(err as Error).message}`);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations.at(-1)!.version;
    if (version !== latest) {
      db.close();
      throw new StoreError(version < latest
        ? `${what}: it is at schema version ${version}, this Emcee's is ${latest}; open it once with this Emcee (emcee bank list --db ${path}) to bring it up to date, then migrate`
        : `${what}: it is at schema version ${version}, newer than this Emcee's (${latest}); upgrade Emcee`);
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    db.close();
    throw new StoreError(`${what}: it is not an SQLite database, or it is damaged (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  return db;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The tables of the SQLite schema, each after the tables its foreign keys reference (ties
 * alphabetically), with their columns in declaration order.
 */
function sourceTables(db: Database.Database): SourceTable[] {
  const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").pluck().all() as string[]);
  const references = new Map(names.map((n) => [n, new Set(
    (db.pragma(`foreign_key_list(${quote(n)})`) as { table: string }[]).map((fk) => fk.table).filter((t) => t !== n && names.includes(t)),
  )]));
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name)) return;
    if (visiting.has(name)) throw new StoreError(`the tables ${[...visiting].join(', ')} reference each other in a circle: they cannot be copied in order`);
    visiting.add(name);
    for (const dep of [...references.get(name)!].sort()) visit(dep);
    visiting.delete(name);
    ordered.push(name);
  };
  names.forEach(visit);
  return ordered.map((name) => {
    const info = db.pragma(`table_info(${quote(name)})`) as { name: string; pk: number }[];
    const columns = info.map((c) => c.name);
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
    const select = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(name)}${key.length ? ` ORDER BY ${key.join(', ')}` : ''}`;
    return {
      name, columns,
      rowCount: db.prepare(`SELECT count(*) FROM ${quote(name)}`).pluck().get() as number,
      rows: () => db.prepare(select).raw(true).iterate() as Iterable<unknown[]>,
    };
  });
}

/** Brings the target to the schema version, refuses it if it holds rows, copies in one transaction. */
async function copyInto(driver: Driver, tables: SourceTable[], { clock, schema, onProgress }: MigrateStoreOptions): Promise<MigrateStoreReport> {
  const names = tables.map((t) => t.name);
  await refuseNonEmpty(driver, names, schema); // before migrating: a database in use stays as it was
  const version = await migratePostgres(driver, clock, schema ?? null);
  const conn = await driver.connect();
  let broken = false;
  try {
    await conn.query('BEGIN');
    try {
      await refuseNonEmptyOn(conn, names); // again, in the transaction that copies
      const copied = await copyTables(conn, tables, onProgress);
      await conn.query('COMMIT');
      return { version, tables: [...copied].map(([table, rows]) => ({ table, rows })) };
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } finally {
    conn.release(broken);
  }
}

async function refuseNonEmpty(driver: Driver, tables: string[], schema: string | undefined): Promise<void> {
  const conn = await driver.connect();
  try {
    // A schema that does not exist yet holds nothing; current_schema() is then null.
    const { rows } = await conn.query<{ s: string | null }>('SELECT current_schema() AS s');
    if (rows[0]?.s === null || (schema !== undefined && rows[0]?.s !== schema)) return;
    await refuseNonEmptyOn(conn, tables);
  } finally {
    conn.release();
  }
}

async function refuseNonEmptyOn(conn: Awaited<ReturnType<Driver['connect']>>, tables: string[]): Promise<void> {
  const table = await firstNonEmptyTable(conn, tables);
  if (table !== null) {
    throw new StoreError(`the PostgreSQL database is not empty: table "${table}" has rows. migrate-store copies into an empty database only; nothing was changed`);
  }
}
