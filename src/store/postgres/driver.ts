/**
 * What the PostgreSQL store needs of a database driver, and its node-postgres (`pg`) form.
 * PGlite (Postgres in WASM, for tests and newcomers without a server) fills the same
 * interface in pglite.ts.
 *
 * Values come back in the shapes the row mappers of the SQLite store already read, so both
 * stores share them (src/store/{series,bank,sessions,prompts,messages,control-log}.ts):
 * - bigint (int8: ids, count(*)) as a JS number: ids stay far below 2^53;
 * - boolean as 1 / 0 (SQLite's flags);
 * - json / jsonb as their text (the mappers JSON.parse it, as for SQLite's TEXT);
 * - timestamptz as a Date (the mappers' `new Date(x)` takes a Date as well as ISO text).
 */
import pg from 'pg';

export interface QueryResult<R> {
  rows: R[];
  /** Rows the statement changed (or returned). */
  rowCount: number;
}

/** One database session. */
export interface Connection {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Several statements in one string, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Back to the pool; broken: the session is unusable (a lost connection), discard it. */
  release(broken?: boolean): void;
}

/** Receives NOTIFY payloads of one channel. */
export interface Listener {
  /** A round trip that delivers the notifications committed before it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface Driver {
  connect(): Promise<Connection>;
  /** onLost: the listening session went away (notifications may have been missed). */
  listen(channel: string, onPayload: (payload: string) => void, onLost: () => void): Promise<Listener>;
  end(): Promise<void>;
}

/** PostgreSQL type oids with a parser of their own (see the top of this file). */
export const TYPE_PARSERS: Record<number, (value: string) => unknown> = {
  20: Number, // int8
  16: (v) => (v === 't' ? 1 : 0), // bool
  114: (v) => v, // json
  3802: (v) => v, // jsonb
};

/** A schema name usable unquoted: lower-case letters, digits and underscores. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`schema: "${schema}" is not a plain lower-case identifier (a-z, 0-9, _)`);
  return schema;
}

export interface PgDriverOptions {
  /** Tables live in this schema (search_path), made if missing; default: the server's search_path. */
  schema?: string;
  /** Pool size (default 4). */
  max?: number;
}

/** node-postgres: a pool of sessions to the server at url. */
export function pgDriver(url: string, { schema, max = 4 }: PgDriverOptions = {}): Driver {
  const config: pg.PoolConfig = {
    connectionString: url,
    max,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as never },
    ...(schema === undefined ? {} : { options: `-c search_path=${checkSchemaName(schema)}` }),
  };
  const pool = new pg.Pool(config);
  // An idle session dropped by the server: the pool discards it; nothing else to do.
  pool.on('error', () => {});
  return {
    connect: async () => wrap(await pool.connect()),
    listen: async (channel, onPayload, onLost) => {
      const client = new pg.Client(config);
      client.on('notification', (n) => onPayload(n.payload ?? ''));
      client.on('error', onLost);
      client.on('end', onLost);
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      // One query at a time on this session: pg queues concurrent ones itself but warns that
      // it will stop doing so (pg 9). Each flush still sends its own round trip after the
      // ones before it, so it sees every notification committed before it was asked for.
      let flushes: Promise<unknown> = Promise.resolve();
      return {
        flush: () => {
          const mine = flushes.then(() => client.query('SELECT 1')).then(() => {});
          flushes = mine.catch(() => {});
          return mine;
        },
        close: async () => {
          client.removeAllListeners('end');
          await client.end();
        },
      };
    },
    end: () => pool.end(),
  };
}

function wrap(client: pg.PoolClient): Connection {
  return {
    query: async <R>(text: string, params?: unknown[]) => {
      const result = await client.query(text, params);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    exec: async (sql) => void (await client.query(sql)),
    release: (broken) => client.release(broken ? new Error('connection lost') : undefined),
  };
}
