/**
 * The bot's PostgreSQL store for the ingest benchmark: a schema of its own on the server at
 * url (made fresh, dropped afterwards), so that a run on someone's server leaves nothing
 * behind and never reads an earlier run's rows. Also reads the server settings that the
 * figures depend on (version, fsync, synchronous_commit), for results.json.
 */
import pg from 'pg';
import { systemClock } from '../src/domain/clock.ts';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import type { StorePort } from '../src/store/port.ts';

export interface PostgresServerInfo {
  version: string;
  fsync: string;
  synchronousCommit: string;
  /** The host and port (no user, no password). */
  at: string;
}

export interface BenchPostgres {
  store: StorePort;
  server: PostgresServerInfo;
  /** Closes the store and drops its schema. */
  dispose(): Promise<void>;
}

export async function openBenchPostgres(url: string): Promise<BenchPostgres> {
  const schema = `emcee_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const show = async (name: string) => String((await admin.query(`SHOW ${name}`)).rows[0]?.[name] ?? '?');
    const server: PostgresServerInfo = {
      version: await show('server_version'),
      fsync: await show('fsync'),
      synchronousCommit: await show('synchronous_commit'),
      at: `${admin.host}:${admin.port}`,
    };
    const store = await openPostgresStore(url, systemClock, { schema });
    return {
      store,
      server,
      dispose: async () => {
        try {
          await store.close();
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await admin.end();
        }
      },
    };
  } catch (err) {
    await admin.end();
    throw err;
  }
}
