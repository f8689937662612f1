/**
 * `emcee migrate-store`: an SQLite database filled through the real code paths is copied
 * into PostgreSQL and compared table by table, row by row (raw, every column, normalised
 * for type) and through the store port; ids go on past the copied ones. On PGlite always,
 * and on a real server when EMCEE_TEST_POSTGRES_URL is set (EMCEE_REQUIRE_POSTGRES=1: a
 * missing server is a failure, never a skip).
 */
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { openStore, type StorePort } from '../../src/store/index.ts';
import { migrateStore } from '../../src/store/migrate-store.ts';
import { openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { openPgliteStore, openPostgresStore } from '../../src/store/postgres/index.ts';
import { pgliteDriver } from '../../src/store/postgres/pglite.ts';
import { onPostgresServer } from '../helpers/postgres-server.ts';
import { fillSqlite } from './migrate-store-fixture.ts';

vi.setConfig({ testTimeout: 120_000 });

/** Tables the fixture must fill: the copy of each is really exercised. */
const FILLED = ['series', 'question_sets', 'questions', 'sessions', 'prompts', 'messages', 'message_edits', 'answers', 'control_log'];

const dir = mkdtempSync(join(tmpdir(), 'emcee-migrate-'));
const SOURCE = join(dir, 'source.sqlite');
let filled: Promise<unknown> | null = null;
const source = () => (filled ??= fillSqlite(SOURCE));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
let schemas = 0;
const newSchema = () => `emcee_m${process.pid}_${++schemas}_${Math.random().toString(36).slice(2, 8)}`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Backend {
  /** Copies from into schema of this database. */
  migrate(from: string, schema: string, onProgress?: (table: string, copied: number, total: number) => void): ReturnType<typeof migrateStore>;
  open(schema: string): Promise<StorePort>;
  /** A raw query, the driver's own value parsing. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  ready(): Promise<unknown>;
  end(): Promise<void>;
}

function pgliteBackend(): Backend {
  let db: Promise<PGlite> | null = null;
  const instance = () => (db ??= PGlite.create());
  return {
    migrate: async (from, schema, onProgress) => migrateStore(from, pgliteDriver(await instance(), schema), { clock: new ManualClock(new Date()), schema, onProgress }),
    open: async (schema) => openPgliteStore(await instance(), new ManualClock(new Date()), { schema }),
    query: async (sql) => (await (await instance()).query<Record<string, unknown>>(sql)).rows,
    ready: instance,
    end: async () => void (await (await db)?.close()),
  };
}

function serverBackend(url: string): Backend {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    // Through the URL, as `emcee migrate-store --to` does.
    migrate: (from, schema, onProgress) => migrateStore(from, url, { clock: new ManualClock(new Date()), schema, onProgress }),
    open: (schema) => openPostgresStore(url, new ManualClock(new Date()), { schema, max: 2 }),
    query: async (sql) => (await pool.query(sql)).rows as Record<string, unknown>[],
    ready: () => pool.query('SELECT 1'),
    end: () => pool.end(),
  };
}

/** Every table of the SQLite file with its columns and primary key, from its own schema. */
function sqliteTables(db: Database.Database): { name: string; columns: string[]; key: string[] }[] {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return names.map((name) => {
    const info = db.pragma(`table_info(${name})`) as { name: string; pk: number }[];
    return { name, columns: info.map((c) => c.name), key: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name) };
  });
}

/** JSON with sorted keys: jsonb does not keep key order. */
const canonical = (v: unknown): unknown => Array.isArray(v) ? v.map(canonical)
  : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;

/** A value as its PostgreSQL type means it, whichever side it was read from. */
function normalise(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type.startsWith('timestamp')) return new Date(value as string | Date).toISOString();
  if (type === 'boolean') {
    if (typeof value === 'number') expect([0, 1]).toContain(value);
    return value === true || value === 1;
  }
  if (type === 'jsonb' || type === 'json') return canonical(typeof value === 'string' ? JSON.parse(value) : value);
  if (type === 'bigint' || type === 'integer' || type === 'smallint') return Number(value);
  return value;
}

async function compareRaw(backend: Backend, schema: string): Promise<Record<string, number>> {
  const db = new Database(SOURCE, { readonly: true });
  const counts: Record<string, number> = {};
  try {
    const types = await backend.query(`SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '${schema}' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
    const typeOf = (t: string, c: string) => types.find((r) => r.t === t && r.c === c)?.type as string | undefined;
    for (const { name, columns, key } of sqliteTables(db)) {
      // Every column of the source is a column of the target, and the other way round.
      expect(types.filter((r) => r.t === name).map((r) => r.c).sort(), name).toEqual([...columns].sort());
      const order = key.length ? ` ORDER BY ${key.join(', ')}` : '';
      const from = db.prepare(`SELECT ${columns.join(', ')} FROM ${name}${order}`).all() as Record<string, unknown>[];
      const to = await backend.query(`SELECT ${columns.join(', ')} FROM ${schema}.${name}${order}`);
      const norm = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(columns.map((c) => [c, normalise(r[c], typeOf(name, c)!)])));
      expect(norm(to), `table ${name}`).toEqual(norm(from));
      counts[name] = from.length;
    }
  } finally {
    db.close();
  }
  return counts;
}

/** What the port reads back: every series, set, session, prompt, message, edit, answer and control. */
async function portView(store: StorePort): Promise<unknown> {
  const series = await store.series.list();
  const sessions = (await Promise.all(series.map((s) => store.sessions.listBySeries(s.id)))).flat();
  return {
    series,
    bank: await store.bank.list(),
    sets: await Promise.all((await store.bank.list()).map((s) => store.bank.get(s.id))),
    sessions: await Promise.all(sessions.map(async (s) => {
      const messages = await store.messages.listBySession(s.id);
      return {
        session: s,
        prompts: await store.prompts.listBySession(s.id),
        messages,
        edits: await Promise.all(messages.map((m) => store.messages.previousTexts(m.platformId))),
        answers: await store.messages.answers(s.id, { inferred: true }),
        controls: await store.controls.list(s.id),
      };
    })),
  };
}

function describeMigration(name: string, backend: Backend): void {
  const made = new Set<string>();
  const target = () => {
    const schema = newSchema();
    made.add(schema);
    return schema;
  };
  beforeAll(() => Promise.all([backend.ready(), source()]), 180_000);
  afterAll(async () => {
    for (const schema of made) await backend.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await backend.end();
  });

  describe(`migrate-store into ${name}`, () => {
    it('copies every table row by row, reads back the same through the port, new rows get fresh ids, the source is untouched', async () => {
      const before = sha(SOURCE);
      const schema = target();
      const progress: [string, number, number][] = [];
      const report = await backend.migrate(SOURCE, schema, (t, copied, total) => progress.push([t, copied, total]));
      expect(sha(SOURCE)).toBe(before);
      expect(report.version).toBe(migrations.at(-1)!.version);

      const counts = await compareRaw(backend, schema);
      for (const table of FILLED) expect(counts[table], `${table} has rows in the fixture`).toBeGreaterThan(0);
      expect(Object.fromEntries(report.tables.map((t) => [t.table, t.rows]))).toEqual(counts);
      // Referenced tables first; progress names each table with its total.
      const order = report.tables.map((t) => t.table);
      for (const [child, parent] of [['questions', 'question_sets'], ['sessions', 'series'], ['messages', 'sessions'], ['answers', 'messages'], ['message_edits', 'messages'], ['control_log', 'sessions']] as const) {
        expect(order.indexOf(child), `${child} after ${parent}`).toBeGreaterThan(order.indexOf(parent));
      }
      expect(progress.filter(([t]) => t === 'messages').at(-1)).toEqual(['messages', counts.messages, counts.messages]);

      copyFileSync(SOURCE, join(dir, `view-${schema}.sqlite`));
      const fromSqlite = openStore(join(dir, `view-${schema}.sqlite`), new ManualClock(new Date()));
      const fromPostgres = await backend.open(schema);
      try {
        expect(await portView(fromPostgres)).toEqual(await portView(fromSqlite));
        const set = await fromPostgres.bank.create({ title: 'after the move', source: 'moderator', questions: ['New?'] });
        const [maxSet] = await backend.query(`SELECT max(id) AS m FROM ${schema}.question_sets WHERE id <> ${set.id}`);
        expect(set.id).toBe(Number(maxSet!.m) + 1);
        const [series] = await fromPostgres.series.list();
        const session = await fromPostgres.sessions.create({ seriesId: series!.id, questionSetId: null, state: 'planned', startsAt: new Date('2030-01-01T00:00:00Z'), source: 'live', channelId: 'chat' });
        expect(session.id).toBe(counts.sessions! + 1);
        const entry = await fromPostgres.controls.record(session.id, 'start', 'noah', new Date('2030-01-01T00:00:00Z'));
        expect(entry.id).toBe(counts.control_log! + 1);
      } finally {
        await fromSqlite.close();
        await fromPostgres.close();
      }
    });

    it('refuses a target that has rows, naming the table, and leaves it unchanged', async () => {
      const schema = target();
      const store = await backend.open(schema);
      await store.bank.create({ title: 'already here', source: 'moderator', questions: ['Q?'] });
      await store.close();
      const dump = async () => ({
        sets: await backend.query(`SELECT * FROM ${schema}.question_sets ORDER BY id`),
        questions: await backend.query(`SELECT * FROM ${schema}.questions ORDER BY id`),
        series: await backend.query(`SELECT * FROM ${schema}.series ORDER BY id`),
      });
      const before = await dump();
      await expect(backend.migrate(SOURCE, schema)).rejects.toThrow(/^the PostgreSQL database is not empty: table "question_sets" has rows\. migrate-store copies into an empty database only; nothing was changed/);
      expect(await dump()).toEqual(before);
    });

    it('refuses a source that is not at the current schema version, changing neither side', async () => {
      const old = join(dir, `old-${schemas}.sqlite`);
      openDatabase(old, migrations.slice(0, 3)).close();
      const before = sha(old);
      const schema = target();
      await expect(backend.migrate(old, schema)).rejects.toThrow(new RegExp(`^cannot copy from ${old}: it is at schema version 3, this Emcee's is ${migrations.at(-1)!.version}; open it once with this Emcee`));
      expect(sha(old)).toBe(before);
      expect(await backend.query(`SELECT 1 FROM pg_namespace WHERE nspname = '${schema}'`)).toEqual([]);
    });
  });
}

describeMigration('PostgreSQL on PGlite', pgliteBackend());

onPostgresServer('migrate-store into a PostgreSQL server', (url) => describeMigration('PostgreSQL server', serverBackend(url)));
