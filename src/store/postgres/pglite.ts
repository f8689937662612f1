/**
 * PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WASM, in this process) behind the
 * driver interface, so that `npm test` exercises the PostgreSQL store's SQL without a
 * server. PGlite is one database session: a connection here is a turn at that session
 * (stores sharing an instance wait for each other, as clients of a one-connection pool
 * would), and each store's schema is set as its search_path when its turn starts.
 *
 * @electric-sql/pglite is a devDependency: nothing here loads it; the caller makes the
 * instance (any PGlite works: the value parsers the store expects are passed per query).
 */
import type { PGlite } from '@electric-sql/pglite';
import { TYPE_PARSERS, checkSchemaName, type Connection, type Driver } from './driver.ts';

interface Session {
  turn: Promise<void>;
  searchPath: string | null;
}

const sessions = new WeakMap<PGlite, Session>();

/** The driver of one PGlite instance; schema: where this store's tables live. */
export function pgliteDriver(db: PGlite, schema?: string): Driver {
  const session = sessions.get(db) ?? { turn: Promise.resolve(), searchPath: null };
  sessions.set(db, session);
  const searchPath = schema === undefined ? null : checkSchemaName(schema);

  /** Waits for the session, then holds it until the returned release is called. */
  const acquire = async (): Promise<() => void> => {
    let release!: () => void;
    const previous = session.turn;
    session.turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    if (searchPath !== null && session.searchPath !== searchPath) {
      await db.query(`SET search_path TO ${searchPath}`);
      session.searchPath = searchPath;
    }
    return release;
  };

  return {
    connect: async (): Promise<Connection> => {
      const release = await acquire();
      let released = false;
      return {
        query: async <R>(text: string, params?: unknown[]) => {
          const result = await db.query<R>(text, params, { parsers: TYPE_PARSERS });
          return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
        },
        exec: async (sql) => void (await db.exec(sql)),
        release: () => {
          if (!released) release();
          released = true;
        },
      };
    },
    listen: async (channel, onPayload) => {
      const release = await acquire();
      try {
        const unlisten = await db.listen(channel, onPayload);
        return {
          flush: async () => {}, // PGlite delivers notifications as each query ends
          close: async () => {
            const done = await acquire();
            try {
              if (!db.closed) await unlisten();
            } finally {
              done();
            }
          },
        };
      } finally {
        release();
      }
    },
    end: async () => {}, // the instance belongs to whoever made it
  };
}
