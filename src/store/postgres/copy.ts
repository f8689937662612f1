/**
 * The PostgreSQL side of `emcee migrate-store`: rows of another database's tables written
 * into this schema as they are (ids included), in one transaction, with each value turned
 * into its column's type. Generic over tables and columns: the column types are read from
 * the catalog, so a future migration's tables and columns are copied without edits here.
 */
import { StoreError } from '../errors.ts';
import type { Connection } from './driver.ts';

/** A table of the source, in the order it is to be copied (referenced tables first). */
export interface SourceTable {
  name: string;
  columns: string[];
  rowCount: number;
  /** Its rows, values in the order of columns. */
  rows(): Iterable<unknown[]>;
}

export type CopyProgress = (table: string, copied: number, total: number) => void;

interface TargetColumn {
  type: string;
  identity: boolean;
}

/** Bind parameters per statement: PostgreSQL allows 65535. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_INSERT = 500;
/** Progress is reported at least this often within a table (and when it is done). */
export const PROGRESS_EVERY = 10_000;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The columns of every table of the connection's current schema. */
async function targetColumns(conn: Connection): Promise<Map<string, Map<string, TargetColumn>>> {
  const { rows } = await conn.query<{ table: string; column: string; type: string; identity: unknown }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity <> '' AS identity
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
  const tables = new Map<string, Map<string, TargetColumn>>();
  for (const r of rows) {
    const columns = tables.get(r.table) ?? new Map<string, TargetColumn>();
    columns.set(r.column, { type: r.type, identity: Boolean(r.identity) });
    tables.set(r.table, columns);
  }
  return tables;
}

/**
 * The first of tables that already holds rows in the target, or null when all are empty
 * (a table the target lacks counts as empty: the copy refuses it by name later).
 */
export async function firstNonEmptyTable(conn: Connection, tables: readonly string[]): Promise<string | null> {
  const present = await targetColumns(conn);
  for (const table of tables) {
    if (!present.has(table)) continue;
    const { rows } = await conn.query(`SELECT 1 FROM ${ident(table)} LIMIT 1`);
    if (rows.length > 0) return table;
  }
  return null;
}

/** SQLite's value as the column's PostgreSQL type expects it (the statement casts it too). */
export function convertValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value === 1 || value === 1n || value === true ? true : value === 0 || value === 0n || value === false ? false : value;
  if (type.startsWith('timestamp') && typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value) && type !== 'bytea') return value.toString('utf8');
  if ((type === 'text' || type.startsWith('character')) && typeof value !== 'string') return String(value);
  return value;
}

/**
 * Copies tables into the connection's current schema, inside the transaction the caller
 * holds on conn: every table must exist there with every column. Identity sequences are
 * moved past the copied ids so that new rows do not collide. Returns the rows per table.
 */
export async function copyTables(conn: Connection, tables: readonly SourceTable[], onProgress: CopyProgress = () => {}): Promise<Map<string, number>> {
  const target = await targetColumns(conn);
  const plans = tables.map((t) => {
    const columns = target.get(t.name);
    if (!columns) throw new StoreError(`the PostgreSQL database has no table "${t.name}": are both databases at the same schema version?`);
    const missing = t.columns.find((c) => !columns.has(c));
    if (missing !== undefined) throw new StoreError(`the PostgreSQL table "${t.name}" has no column "${missing}": are both databases at the same schema version?`);
    return { table: t, types: t.columns.map((c) => columns.get(c)!.type), identities: [...columns].filter(([, c]) => c.identity).map(([name]) => name) };
  });
  const copied = new Map<string, number>();
  for (const { table, types, identities } of plans) {
    const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / Math.max(1, types.length))));
    const head = `INSERT INTO ${ident(table.name)} (${table.columns.map(ident).join(', ')})${identities.length ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES `;
    let done = 0;
    let reported = 0;
    let batch: unknown[][] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const params: unknown[] = [];
      const values = batch.map((row) => `(${row.map((v, i) => `$${params.push(convertValue(v, types[i]!))}::${types[i]}`).join(', ')})`);
      try {
        await conn.query(head + values.join(', '), params);
      } catch (err) {
        throw new StoreError(`copying table "${table.name}" (rows ${done + 1} to ${done + batch.length}) failed: ${(err as Error).message}`);
      }
      done += batch.length;
      batch = [];
      if (done - reported >= PROGRESS_EVERY) {
        reported = done;
        onProgress(table.name, done, table.rowCount);
      }
    };
    for (const row of table.rows()) {
      batch.push(row);
      if (batch.length >= perInsert) await flush();
    }
    await flush();
    if (reported !== done || done === 0) onProgress(table.name, done, table.rowCount);
    for (const column of identities) {
      await conn.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(column)}) FROM ${ident(table.name)}), 0) + 1, false)`,
        [ident(table.name), column],
      );
    }
    copied.set(table.name, done);
  }
  return copied;
}
