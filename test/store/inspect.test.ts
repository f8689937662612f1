/**
 * The read-only look `emcee doctor` takes at a database (src/store/inspect.ts): the schema
 * version against this build's migrations, pending ones by number and name, and the series,
 * on SQLite and on PostgreSQL (PGlite), without changing anything.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { openDatabase } from '../../src/store/db.ts';
import { inspectPostgres, inspectSqlite, schemaStatusOf } from '../../src/store/inspect.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { openPgliteStore, postgresMigrations } from '../../src/store/postgres/index.ts';
import { pgliteDriver } from '../../src/store/postgres/pglite.ts';
import { SqliteStore } from '../../src/store/index.ts';

vi.setConfig({ testTimeout: 120_000 });

const clock = new ManualClock(new Date('2026-11-20T12:00:00Z'));
const latest = migrations.length;
const dir = () => mkdtempSync(join(tmpdir(), 'emcee-inspect-'));

let pglite: PGlite | null = null;
afterAll(async () => {
  await pglite?.close();
});

describe('the schema status (pure)', () => {
  it.each([
    [latest, { exists: true, version: latest, latest, newer: false, pending: [] }],
    [latest - 2, { exists: true, version: latest - 2, latest, newer: false, pending: migrations.slice(-2).map((m) => ({ version: m.version, name: m.name })) }],
    [latest + 1, { exists: true, version: latest + 1, latest, newer: true, pending: [] }],
  ])('a database at version %i', (version, expected) => {
    expect(schemaStatusOf(true, version)).toEqual(expected);
  });
});

describe('a read-only look at SQLite', () => {
  it('a file at a prefix of the migrations: its version and what is pending, and the file unchanged', async () => {
    const path = join(dir(), 'old.sqlite');
    openDatabase(path, migrations.slice(0, 9)).close();
    const before = readFileSync(path);
    const look = inspectSqlite(path);
    expect(look.status).toMatchObject({ exists: true, version: 9, pending: [{ version: 10, name: 'session events' }, { version: 11, name: 'corrections and reactions' }, { version: 12, name: 'multi answers' }], newer: false });
    expect(await look.series()).toEqual([]);
    await look.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    const db = openDatabase(path, migrations.slice(0, 9)); // still at 9: nothing migrated it
    expect(db.pragma('user_version', { simple: true })).toBe(9);
    db.close();
  });

  it('a current file: no pending migrations, and its series as the store reads them', async () => {
    const path = join(dir(), 'cur.sqlite');
    const store = await SqliteStore.open(path, clock);
    const saved = await store.series.saveForChannel({ guildId: '100000000000000001', channelId: '100000000000000002', tag: '#Chat', timezone: 'UTC', schedule: null, settings: { threads: true } });
    await store.close();
    const look = inspectSqlite(path);
    expect(look.status).toMatchObject({ exists: true, version: latest, pending: [] });
    expect(await look.series()).toEqual([saved]);
    await look.close();
  });

  it('no file: does not exist (and is not created); a file that is not a database: one line', () => {
    const missing = join(dir(), 'none.sqlite');
    expect(inspectSqlite(missing).status).toMatchObject({ exists: false, version: 0 });
    expect(() => readFileSync(missing)).toThrow();
    const junk = join(dir(), 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, it is a text file that is long enough to have a header'.repeat(20));
    expect(() => inspectSqlite(junk)).toThrow(/not an SQLite database, or it is damaged/);
  });
});

describe('a read-only look at PostgreSQL (PGlite)', () => {
  it('a schema at a prefix of the migrations, a current one, and one with no Emcee tables', async () => {
    pglite ??= await PGlite.create();
    const old = `inspect_old_${process.pid}`;
    await (await openPgliteStore(pglite, clock, { schema: old, migrations: postgresMigrations.slice(0, 9) })).close();
    const look = await inspectPostgres(pgliteDriver(pglite, old));
    expect(look.status).toMatchObject({ exists: true, version: 9, pending: [{ version: 10, name: 'session events' }, { version: 11, name: 'corrections and reactions' }, { version: 12, name: 'multi answers' }] });
    await look.close();
    const { rows } = await pglite.query<{ v: number }>(`SELECT max(version) AS v FROM ${old}.emcee_migrations`);
    expect(rows[0]!.v).toBe(9);

    const current = `inspect_cur_${process.pid}`;
    const store = await openPgliteStore(pglite, clock, { schema: current });
    const saved = await store.series.saveForChannel({ guildId: '100000000000000001', channelId: '100000000000000002', tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
    await store.close();
    const now = await inspectPostgres(pgliteDriver(pglite, current));
    expect(now.status).toMatchObject({ exists: true, version: latest, pending: [] });
    expect(await now.series()).toEqual([saved]);
    await now.close();

    const empty = `inspect_empty_${process.pid}`;
    await pglite.exec(`CREATE SCHEMA ${empty}`);
    const none = await inspectPostgres(pgliteDriver(pglite, empty));
    expect(none.status).toMatchObject({ exists: false, version: 0, pending: migrations.map((m) => ({ version: m.version, name: m.name })) });
    await none.close();
    const tables = await pglite.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = '${empty}'`);
    expect(tables.rows).toEqual([]);
  });
});
