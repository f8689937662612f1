import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { describeStoreContract, T0 } from './contract.ts';

const paths = new WeakMap<object, string>();
const dir = () => mkdtempSync(`${tmpdir()}/emcee-contract-`);

describeStoreContract('SQLite, in memory', { open: (clock) => openSqliteStore(':memory:', clock) });

describeStoreContract('SQLite, a file', {
  open: async (clock) => {
    const path = `${dir()}/emcee.sqlite`;
    const store = await openSqliteStore(path, clock);
    paths.set(store, path);
    return store;
  },
  reopen: async (store, clock) => {
    await store.close();
    return openSqliteStore(paths.get(store)!, clock);
  },
  second: (store, clock) => openSqliteStore(paths.get(store)!, clock),
});

describe('SQLite store: opening migrates through the port', () => {
  const clock = () => new ManualClock(T0);

  it('a new file gets every migration, WAL and foreign keys; opening again changes nothing', async () => {
    const path = `${dir()}/nested/emcee.sqlite`;
    const store = await openSqliteStore(path, clock());
    await store.close();
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const before = raw.prepare("SELECT sql FROM sqlite_master ORDER BY name").pluck().all();
    raw.close();
    await (await openSqliteStore(path, clock())).close();
    const again = new Database(path);
    expect(again.prepare("SELECT sql FROM sqlite_master ORDER BY name").pluck().all()).toEqual(before);
    again.close();
  });

  it('an older schema is brought up to date on open, keeping its rows', async () => {
    const path = `${dir()}/old.sqlite`;
    const raw = new Database(path);
    for (const m of migrations.slice(0, 3)) raw.exec(m.up);
    raw.pragma('user_version = 3');
    raw.prepare("INSERT INTO question_sets (title, source, created_at) VALUES ('old', 'moderator', ?)").run(T0.toISOString());
    raw.close();
    const store = await openSqliteStore(path, clock());
    expect(await store.bank.list()).toMatchObject([{ title: 'old', shared: true, guildId: null }]);
    await store.close();
  });

  it('a failing migration leaves the file as it was, and open fails', async () => {
    const path = `${dir()}/broken.sqlite`;
    const broken = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', up: 'CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;' },
    ];
    await (await openSqliteStore(path, clock())).close();
    await expect(openSqliteStore(path, clock(), { migrations: broken })).rejects.toThrow(/no such table: nowhere/);
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    raw.close();
  });

  it('a database from a newer Emcee is refused on open', async () => {
    const path = `${dir()}/newer.sqlite`;
    await (await openSqliteStore(path, clock())).close();
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    await expect(openSqliteStore(path, clock())).rejects.toThrow(/newer than this Emcee/);
  });

  it('externalChangeMark moves when another connection commits', async () => {
    const path = `${dir()}/shared.sqlite`;
    const store: SqliteStore = await openSqliteStore(path, clock());
    const before = await store.externalChangeMark();
    expect(await store.externalChangeMark()).toBe(before);
    const other = await openSqliteStore(path, clock());
    await other.bank.create({ title: 'from the CLI', source: 'moderator', questions: ['q'] });
    await other.close();
    expect(await store.externalChangeMark()).not.toBe(before);
    await store.close();
  });

  it('a transaction holds the write lock: another connection\'s write waits, then goes through', async () => {
    const path = `${dir()}/lock.sqlite`;
    const store = await openSqliteStore(path, clock());
    const other = await openSqliteStore(path, clock(), { busyTimeoutMs: 50 });
    await store.transaction(async (tx) => {
      await tx.bank.create({ title: 'mine', source: 'moderator', questions: ['q'] });
      await expect(other.bank.create({ title: 'theirs', source: 'moderator', questions: ['q'] })).rejects.toThrow(/locked|busy/i);
    });
    await other.bank.create({ title: 'theirs', source: 'moderator', questions: ['q'] });
    expect((await store.bank.list()).map((s) => s.title)).toEqual(['mine', 'theirs']);
    await Promise.all([store.close(), other.close()]);
  });
});
