/**
 * The repository contract on the PostgreSQL store: on PGlite (PostgreSQL in WASM, in this
 * process) always, and on a real server when EMCEE_TEST_POSTGRES_URL is set. With
 * EMCEE_REQUIRE_POSTGRES=1 (CI), a missing server URL is a failure, never a skip.
 * Each store opened here gets a fresh schema, so tests never see each other's rows.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { openPgliteStore, openPostgresStore, postgresMigrations, type PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.ts';
import { describeStoreContract, T0 } from './contract.ts';

// PGlite runs PostgreSQL in WASM: every statement costs several times what SQLite's does,
// and the contract's 1,234-message iterator case needs more than the default 20 s on a busy
// 2-core machine. Starting an instance takes 10-30 s: that is done once, before the tests.
vi.setConfig({ testTimeout: 90_000 });

const SERVER_URL = process.env.EMCEE_TEST_POSTGRES_URL || undefined;
const REQUIRED = process.env.EMCEE_REQUIRE_POSTGRES === '1';

interface Backend {
  /** A store on schema (a new store, its own pool, on the same database). */
  open(clock: ManualClock, schema: string, options?: PostgresStoreOptions): Promise<PostgresStore>;
  /** A statement outside any store (test set-up and checks). */
  query<R>(sql: string): Promise<R[]>;
  /** Ready to open stores (PGlite: the instance has started). */
  ready(): Promise<unknown>;
  end(): Promise<void>;
}

let schemas = 0;
const newSchema = () => `emcee_t${process.pid}_${++schemas}_${Math.random().toString(36).slice(2, 8)}`;
const schemaOf = new WeakMap<object, string>();

function pgliteBackend(): Backend {
  let db: Promise<PGlite> | null = null;
  const instance = () => (db ??= PGlite.create());
  return {
    open: async (clock, schema, options) => openPgliteStore(await instance(), clock, { schema, ...options }),
    query: async <R>(sql: string) => (await (await instance()).query<R>(sql)).rows,
    ready: instance,
    end: async () => void (await (await db)?.close()),
  };
}

function serverBackend(url: string): Backend {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    open: (clock, schema, options) => openPostgresStore(url, clock, { schema, max: 2, ...options }),
    query: async <R>(sql: string) => (await pool.query(sql)).rows as R[],
    ready: () => pool.query('SELECT 1'),
    end: () => pool.end(),
  };
}

function describePostgres(name: string, backend: Backend): void {
  const made = new Set<string>();
  beforeAll(() => backend.ready(), 180_000);
  const open = (clock: ManualClock, schema = newSchema(), options?: PostgresStoreOptions) => {
    made.add(schema);
    return backend.open(clock, schema, options).then((store) => {
      schemaOf.set(store, schema);
      return store;
    });
  };

  describeStoreContract(name, {
    open: (clock) => open(clock),
    reopen: async (store, clock) => {
      await store.close();
      return open(clock, schemaOf.get(store)!);
    },
    second: (store, clock) => open(clock, schemaOf.get(store)!),
  });

  describe(`PostgreSQL store (${name}): opening migrates once, under an advisory lock`, () => {
    const clock = () => new ManualClock(T0);
    const versions = (schema: string) => backend.query<{ version: number }>(`SELECT version FROM ${schema}.emcee_migrations ORDER BY version`);

    it('ten stores opened at once on a new database migrate it exactly once, and all work', async () => {
      const schema = newSchema();
      const stores = await Promise.all(Array.from({ length: 10 }, () => open(clock(), schema)));
      try {
        expect((await versions(schema)).map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
        await Promise.all(stores.map((s, i) => s.bank.create({ title: `set ${i}`, source: 'moderator', questions: ['q'] })));
        expect(await stores[0]!.bank.list()).toHaveLength(10);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('a failing migration leaves the database as it was, and open fails', async () => {
      const schema = newSchema();
      await (await open(clock(), schema)).close();
      const broken = [...postgresMigrations, { version: postgresMigrations.length + 1, name: 'broken', up: 'CREATE TABLE b (x integer); SELECT * FROM nowhere;' }];
      await expect(open(clock(), schema, { migrations: broken })).rejects.toThrow(/"nowhere" does not exist/);
      expect((await versions(schema)).map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      expect(await backend.query(`SELECT 1 FROM pg_tables WHERE schemaname = '${schema}' AND tablename = 'b'`)).toEqual([]);
    });

    it('a database from a newer Emcee is refused on open', async () => {
      const schema = newSchema();
      await (await open(clock(), schema)).close();
      await backend.query(`INSERT INTO ${schema}.emcee_migrations (version, name, applied_at) VALUES (999, 'future', now())`);
      await expect(open(clock(), schema)).rejects.toThrow(/newer than this Emcee/);
    });

    it('externalChangeMark moves when another store commits a change, and not when nothing changes', async () => {
      const schema = newSchema();
      const store = await open(clock(), schema);
      const other = await open(clock(), schema);
      const elsewhere = await open(clock());
      try {
        const before = await store.externalChangeMark();
        await elsewhere.bank.create({ title: 'another database', source: 'moderator', questions: ['q'] });
        await other.transaction(async (tx) => {
          await tx.bank.create({ title: 'rolled back', source: 'moderator', questions: ['q'] });
          throw new Error('undo');
        }).catch(() => {});
        expect(await store.externalChangeMark()).toBe(before);
        await other.bank.create({ title: 'from the CLI', source: 'moderator', questions: ['q'] });
        expect(await store.externalChangeMark()).toBeGreaterThan(before);
      } finally {
        await Promise.all([store.close(), other.close(), elsewhere.close()]);
      }
    });

    it('change marks asked for at once (the app watch, the ingest caches) take turns on the listening session: no pg warning, each sees the commits before it', async () => {
      const schema = newSchema();
      const store = await open(clock(), schema);
      const other = await open(clock(), schema);
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const before = await store.externalChangeMark();
        await other.bank.create({ title: 'from elsewhere', source: 'moderator', questions: ['q'] });
        const marks = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store.externalChangeMark() : store.changeMark())));
        expect(marks.every((m) => m > before)).toBe(true);
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
        await Promise.all([store.close(), other.close()]);
      }
    });
  });

  // The schemas the suite made (over a hundred, each with its tables), twenty a statement
  // (one each took more than the default 10 s hook timeout on a busy machine; all in one
  // statement could run out of lock slots).
  afterAll(async () => {
    const schemas = [...made];
    for (let i = 0; i < schemas.length; i += 20) {
      await backend.query(`DROP SCHEMA IF EXISTS ${schemas.slice(i, i + 20).join(', ')} CASCADE`).catch(() => {});
    }
    await backend.end();
  }, 120_000);
}

describePostgres('PostgreSQL on PGlite', pgliteBackend());

if (SERVER_URL) describePostgres('PostgreSQL server', serverBackend(SERVER_URL));
else if (REQUIRED) {
  describe('PostgreSQL server', () => {
    it('is configured (EMCEE_REQUIRE_POSTGRES=1 needs EMCEE_TEST_POSTGRES_URL)', () => {
      expect.fail('EMCEE_REQUIRE_POSTGRES=1 but EMCEE_TEST_POSTGRES_URL is not set: the PostgreSQL server tests would not run');
    });
  });
}
