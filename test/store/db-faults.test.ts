import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError, openDatabase } from '../../src/store/db.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * A database the bot cannot use at start-up (corrupt, locked, read-only) gives a clear
 * error and a non-zero exit, and the file is left exactly as it was.
 */

const fresh = () => mkdtempSync(`${tmpdir()}/emcee-dbfault-`);
const GARBAGE = Buffer.from('this is not an SQLite file, it is a shopping list: eggs, milk\n'.repeat(200));

function runCli(args: string[]) {
  return spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/tmp', LOG_LEVEL: 'silent' },
  });
}

describe('a corrupt database file', () => {
  it('is refused with a clear error, and not touched (no WAL files either)', () => {
    const path = `${fresh()}/emcee.sqlite`;
    writeFileSync(path, GARBAGE);
    expect(() => openDatabase(path)).toThrow(StoreError);
    expect(() => openDatabase(path)).toThrow(/is not an SQLite database, or it is damaged\. Nothing was changed/);
    expect(readFileSync(path).equals(GARBAGE)).toBe(true);
    expect(existsSync(`${path}-wal`) || existsSync(`${path}-shm`)).toBe(false);
  });

  it('makes the CLI exit 1 with the message', () => {
    const path = `${fresh()}/emcee.sqlite`;
    writeFileSync(path, GARBAGE);
    const run = runCli(['bank', 'list', '--db', path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/emcee: cannot use the database .*emcee\.sqlite: it is not an SQLite database/);
    expect(readFileSync(path).equals(GARBAGE)).toBe(true);
  });

  it('makes npm start exit 1 before connecting to Discord', () => {
    const path = `${fresh()}/emcee.sqlite`;
    writeFileSync(path, GARBAGE);
    const run = spawnSync(process.execPath, ['--import', 'tsx', `${ROOT}src/main.ts`], {
      cwd: ROOT, encoding: 'utf8', timeout: 20_000,
      env: { PATH: process.env.PATH, DISCORD_TOKEN: 'x', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_BASE: 'http://127.0.0.1:9/api', DATABASE_PATH: path, LOG_LEVEL: 'silent' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/emcee: cannot use the database .*: it is not an SQLite database/);
    expect(readFileSync(path).equals(GARBAGE)).toBe(true);
  });
});

describe('a locked database file', () => {
  it('is refused after the busy timeout with a clear error, and not touched', () => {
    const path = `${fresh()}/emcee.sqlite`;
    const other = new Database(path); // another program, rollback journal, holding a write
    other.exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('kept');");
    other.exec('BEGIN EXCLUSIVE');
    const before = readFileSync(path);
    try {
      expect(() => openDatabase(path, undefined, { busyTimeoutMs: 100 })).toThrow(/is locked by another process .* Nothing was changed/);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Once released, it opens (and is migrated) normally, keeping the other program's data.
    const db = openDatabase(path);
    expect(db.prepare('SELECT x FROM notes').pluck().get()).toBe('kept');
    db.close();
  });
});

/**
 * Makes paths read-only for whoever runs the tests. Root ignores file modes, so as root the
 * paths are made immutable (chattr +i, which binds root too); otherwise chmod does it.
 * Returns the undo, or null when this filesystem supports neither.
 */
function makeReadOnly(paths: string[]): (() => void) | null {
  if (process.getuid?.() === 0) {
    const set = spawnSync('chattr', ['+i', ...paths]);
    if (set.status !== 0) return null;
    return () => void spawnSync('chattr', ['-i', ...paths]);
  }
  for (const p of paths) chmodSync(p, 0o555);
  return () => paths.forEach((p) => chmodSync(p, 0o755));
}

describe('a read-only database file', () => {
  it('is refused with a clear error and exit 1, and not touched', (ctx) => {
    const dir = fresh();
    const path = `${dir}/emcee.sqlite`;
    openDatabase(path).close();
    const before = readFileSync(path);
    const undo = makeReadOnly([path, dir]);
    if (!undo) return ctx.skip('this filesystem cannot make a file read-only for root (no chattr +i)');
    try {
      const run = runCli(['bank', 'list', '--db', path]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/cannot use the database .*: it cannot be written \(read-only file or folder, or no permission\)\. Nothing was changed/);
    } finally {
      undo();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a missing folder that cannot be created is refused clearly', (ctx) => {
    const dir = fresh();
    mkdirSync(`${dir}/locked`);
    const undo = makeReadOnly([`${dir}/locked`]);
    if (!undo) return ctx.skip('this filesystem cannot make a folder read-only for root (no chattr +i)');
    try {
      const run = runCli(['bank', 'list', '--db', `${dir}/locked/sub/emcee.sqlite`]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/cannot use the database .*: it cannot be written/);
    } finally {
      undo();
    }
  });
});
