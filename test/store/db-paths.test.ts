import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * A database path that cannot be used (a device, a directory, an immutable file, a folder
 * that cannot be written) is one line naming the path and what is wrong, exit 1, from the
 * CLI and from `npm start`'s entry, never a stack.
 */

const fresh = () => mkdtempSync(`${tmpdir()}/emcee-dbpath-`);
const ENV = { PATH: process.env.PATH, HOME: '/tmp', LOG_LEVEL: 'silent' };

function emcee(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, ...args], { cwd: fresh(), encoding: 'utf8', env: { ...ENV, ...env }, timeout: 30_000 });
}

function npmStart(databasePath: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', `${ROOT}src/main.ts`], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000,
    env: { ...ENV, DISCORD_TOKEN: 'x', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_BASE: 'http://127.0.0.1:9/api', DATABASE_PATH: databasePath },
  });
}

/** One line on stderr, exit 1. */
function expectOneLine(run: ReturnType<typeof spawnSync>, message: RegExp) {
  const stderr = String(run.stderr).trim();
  expect(stderr).toMatch(message);
  expect(stderr.split('\n')).toHaveLength(1);
  expect(run.status).toBe(1);
}

/** chattr +i: binds root too (tests run as root here). Null when the filesystem cannot. */
function immutable(paths: string[]): (() => void) | null {
  if (spawnSync('chattr', ['+i', ...paths]).status !== 0) return null;
  return () => void spawnSync('chattr', ['-i', ...paths]);
}

describe('a database path that cannot be used', () => {
  it('DATABASE_PATH=/dev/null: not a regular file (CLI and npm start)', () => {
    expectOneLine(emcee(['bank', 'list'], { DATABASE_PATH: '/dev/null' }), /^emcee: cannot use the database \/dev\/null: it is not a regular file/);
    expectOneLine(npmStart('/dev/null'), /^emcee: cannot use the database \/dev\/null: it is not a regular file/);
  }, 60_000);

  it('a directory is called a directory, not read-only (CLI and npm start)', () => {
    const dir = fresh();
    expectOneLine(emcee(['bank', 'list', '--db', dir]), new RegExp(`^emcee: cannot use the database ${dir}: it is a directory`));
    expectOneLine(npmStart(dir), new RegExp(`^emcee: cannot use the database ${dir}: it is a directory`));
  }, 60_000);

  it('a parent that is a file, not a folder', () => {
    const dir = fresh();
    writeFileSync(`${dir}/file`, 'x');
    expectOneLine(emcee(['bank', 'list', '--db', `${dir}/file/emcee.sqlite`]), /^emcee: cannot use the database .*file\/emcee\.sqlite: .*not a folder/);
  });

  it('an immutable database file (its folder writable) is refused at open, before any write fails', (ctx) => {
    const dir = fresh();
    const path = `${dir}/emcee.sqlite`;
    openDatabase(path).close();
    const before = readFileSync(path);
    const undo = immutable([path]);
    if (!undo) return ctx.skip('no chattr +i on this filesystem');
    try {
      expectOneLine(emcee(['import', `${ROOT}seeds/2018-05-07-badgechat.txt`, '--db', path]), /^emcee: cannot use the database .*emcee\.sqlite: it cannot be written/);
      expectOneLine(npmStart(path), /^emcee: cannot use the database .*emcee\.sqlite: it cannot be written/);
    } finally {
      undo();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  }, 60_000);

  it('a new database in a folder that cannot be written (like a read-only mount)', (ctx) => {
    const dir = fresh();
    mkdirSync(`${dir}/ro`);
    const undo = immutable([`${dir}/ro`]);
    if (!undo) return ctx.skip('no chattr +i on this filesystem');
    try {
      expectOneLine(emcee(['bank', 'list', '--db', `${dir}/ro/emcee.sqlite`]), /^emcee: cannot use the database .*ro\/emcee\.sqlite: it cannot be written/);
    } finally {
      undo();
    }
  });
});
