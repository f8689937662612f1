import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { FileWriteError } from '../../src/fs/atomic.ts';
import { backupDatabase } from '../../src/store/backup.ts';
import { openDatabase } from '../../src/store/db.ts';
import { StoreError } from '../../src/store/errors.ts';
import { openStore, SqliteStore, type MigrationBackup } from '../../src/store/index.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { ROOT } from '../helpers/seeds.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(`${tmpdir()}/emcee-backup-`);
  dirs.push(dir);
  return dir;
}

/** What a copy holds: its integrity verdict, schema version, and the rows of a table. */
function inspect(path: string, sql = 'SELECT 1') {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check),
      version: db.pragma('user_version', { simple: true }) as number,
      journal: db.pragma('journal_mode', { simple: true }) as string,
      rows: db.prepare(sql).all(),
    };
  } finally {
    db.close();
  }
}

async function emceeDatabase(dir: string): Promise<string> {
  const path = `${dir}/emcee.sqlite`;
  const store = openStore(path, systemClock);
  await store.series.saveForChannel({ guildId: '100000000000000001', channelId: '100000000000000002', tag: '#Backups', timezone: 'UTC', schedule: null, settings: {} });
  await store.close();
  return path;
}

describe('emcee backup (backupDatabase)', () => {
  it('copies the database while another process keeps writing: the copy is whole, checked, at one moment', async () => {
    const dir = tempDir();
    const path = await emceeDatabase(dir);
    // A writer in its own process (as the bot is): each transaction adds the same n to two
    // tables, so a copy taken at one moment has them equal, with no gap.
    const setup = new Database(path);
    setup.exec('CREATE TABLE probe_a (n INTEGER PRIMARY KEY, pad TEXT); CREATE TABLE probe_b (n INTEGER PRIMARY KEY)');
    setup.close();
    const writer = spawn(process.execPath, ['-e', `
      const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 5000 });
      const a = db.prepare('INSERT INTO probe_a (n, pad) VALUES (?, ?)'), b = db.prepare('INSERT INTO probe_b (n) VALUES (?)');
      const add = db.transaction((n) => { a.run(n, 'x'.repeat(2000)); b.run(n); });
      let n = 0;
      const tick = () => { for (let i = 0; i < 20; i++) add(++n); if (n === 200) process.stdout.write('going\\n'); setImmediate(tick); };
      tick();
    `, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        writer.stdout!.on('data', () => resolve());
        writer.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
      });
      const copies: Awaited<ReturnType<typeof backupDatabase>>[] = [];
      for (let i = 0; i < 3; i++) copies.push(await backupDatabase(path, `${dir}/copy-${i}.sqlite`));
      writer.kill('SIGKILL');
      const counts = copies.map((c) => {
        expect(c.path).toBe(`${dir}/copy-${copies.indexOf(c)}.sqlite`);
        const seen = inspect(c.path, 'SELECT (SELECT count(*) FROM probe_a) a, (SELECT count(*) FROM probe_b) b, (SELECT max(n) FROM probe_a) top, (SELECT count(*) FROM series) series');
        expect(seen.integrity).toEqual(['ok']);
        expect(seen.version).toBe(migrations.at(-1)!.version);
        expect(seen.journal).toBe('delete'); // one file: nothing beside it is needed
        const [row] = seen.rows as { a: number; b: number; top: number; series: number }[];
        expect(row!.a).toBe(row!.b);
        expect(row!.top).toBe(row!.a);
        expect(row!.series).toBe(1);
        expect(c.bytes).toBe(readFileSync(c.path).length);
        return row!.a;
      });
      // Taken while the writer wrote: each copy holds more than the one before.
      expect(counts[0]).toBeGreaterThanOrEqual(200);
      expect(counts[1]).toBeGreaterThan(counts[0]!);
      expect(counts[2]).toBeGreaterThan(counts[1]!);
      // No temporary file is left in the folder.
      expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      writer.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses an --out in a folder that does not exist, and writes nothing', async () => {
    const dir = tempDir();
    const path = await emceeDatabase(dir);
    const out = `${dir}/missing/backup.sqlite`;
    const err = await backupDatabase(path, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileWriteError);
    expect((err as Error).message).toBe(`cannot write ${out}: the folder ${dir}/missing does not exist (emcee backup creates no folders)`);
    expect(existsSync(`${dir}/missing`)).toBe(false);
  });

  it('refuses an existing file without --force (it stays as it was), and replaces it with --force', async () => {
    const dir = tempDir();
    const path = await emceeDatabase(dir);
    const out = `${dir}/backup.sqlite`;
    writeFileSync(out, 'keep me');
    const err = await backupDatabase(path, out).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`cannot write ${out}: it exists already; choose a new name, or add --force to replace it`);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(readdirSync(dir).sort()).toEqual(['backup.sqlite', 'emcee.sqlite']);

    await backupDatabase(path, out, { force: true });
    expect(inspect(out).integrity).toEqual(['ok']);
  });

  it('a folder it cannot write in: one line naming --out, nothing left behind', async (ctx) => {
    const dir = tempDir();
    const path = await emceeDatabase(dir);
    mkdirSync(`${dir}/locked`);
    // Root ignores file modes: the folder is made immutable (chattr +i binds root too).
    const lock = process.getuid?.() === 0 ? spawnSync('chattr', ['+i', `${dir}/locked`]).status === 0 : (spawnSync('chmod', ['555', `${dir}/locked`]).status === 0);
    if (!lock) return ctx.skip('this file system cannot make a folder read-only (no chattr +i)');
    try {
      const err = await backupDatabase(path, `${dir}/locked/copy.sqlite`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileWriteError);
      expect((err as Error).message).toBe(`cannot write ${dir}/locked/copy.sqlite: its folder cannot be written (SQLITE_CANTOPEN)`);
      expect(readdirSync(`${dir}/locked`)).toEqual([]);
    } finally {
      if (process.getuid?.() === 0) spawnSync('chattr', ['-i', `${dir}/locked`]);
      else spawnSync('chmod', ['755', `${dir}/locked`]);
    }
  });

  it('refuses a folder as --out, and a source that is missing or not a database', async () => {
    const dir = tempDir();
    const path = await emceeDatabase(dir);
    await expect(backupDatabase(path, dir)).rejects.toThrow(`cannot write ${dir}: it is a folder; --out names the backup file`);
    await expect(backupDatabase(`${dir}/nope.sqlite`, `${dir}/b.sqlite`)).rejects.toThrow(new StoreError(`cannot back up ${dir}/nope.sqlite: there is no such file (set DATABASE_PATH or --db to the database)`));
    writeFileSync(`${dir}/text.sqlite`, 'this is not a database at all, just text '.repeat(50));
    await expect(backupDatabase(`${dir}/text.sqlite`, `${dir}/b.sqlite`)).rejects.toThrow(`cannot back up ${dir}/text.sqlite: it is not an SQLite database, or it is damaged`);
    expect(readdirSync(dir).sort()).toEqual(['emcee.sqlite', 'text.sqlite']);
  });
});

describe('the copy before a migration', () => {
  it('is written beside an older file before its migrations run, at the old version, and only once', async () => {
    const dir = tempDir();
    const path = `${dir}/emcee.sqlite`;
    // A file made by an older Emcee (schema version 9), with a series in it.
    const old = openDatabase(path, migrations.slice(0, 9));
    old.exec("INSERT INTO series (id, tag, tag_key, created_at) VALUES (1, '#Old', '#old', '2026-11-01T00:00:00.000Z')");
    old.close();

    const told: MigrationBackup[] = [];
    const store = await SqliteStore.open(path, systemClock, { onMigrationBackup: (b) => told.push(b) });
    await store.close();
    const backup = `${path}.before-migration-010.bak`;
    expect(told).toEqual([{ path: backup, bytes: readFileSync(backup).length, schemaVersion: 9, fromVersion: 9, toVersion: migrations.at(-1)!.version }]);
    const copy = inspect(backup, 'SELECT tag FROM series');
    expect(copy.integrity).toEqual(['ok']);
    expect(copy.version).toBe(9);
    expect(copy.rows).toEqual([{ tag: '#Old' }]);
    expect(inspect(path).version).toBe(migrations.at(-1)!.version);

    // Opened again: up to date, no second copy.
    const again = await SqliteStore.open(path, systemClock, { onMigrationBackup: (b) => told.push(b) });
    await again.close();
    expect(told).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual(['emcee.sqlite.before-migration-010.bak']);
  });

  it('is not written for a new database, nor for :memory:', async () => {
    const dir = tempDir();
    const told: MigrationBackup[] = [];
    await (await SqliteStore.open(`${dir}/new.sqlite`, systemClock, { onMigrationBackup: (b) => told.push(b) })).close();
    await (await SqliteStore.open(':memory:', systemClock, { onMigrationBackup: (b) => told.push(b) })).close();
    expect(told).toEqual([]);
    expect(readdirSync(dir).filter((f) => !/^new\.sqlite(-wal|-shm)?$/.test(f))).toEqual([]);
  });

  it('when the copy cannot be written, nothing is migrated', async () => {
    const dir = tempDir();
    const path = `${dir}/emcee.sqlite`;
    openDatabase(path, migrations.slice(0, 9)).close();
    mkdirSync(`${path}.before-migration-010.bak`); // a folder where the copy should go
    await expect(SqliteStore.open(path, systemClock)).rejects.toThrow(/^cannot migrate .*emcee\.sqlite: the copy before the migration \(.*before-migration-010\.bak\) could not be written: .*Nothing was changed/);
    expect(inspect(path).version).toBe(9);
  });
});
