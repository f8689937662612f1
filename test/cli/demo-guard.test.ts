import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dumpDb, emcee } from '../helpers/emcee-cli.ts';
import { seedPath } from '../helpers/seeds.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-demo-'));
});

/** The smallest seed (a plain archive, 53 messages), fast at the top speed. */
const SMALL = () => seedPath('002_3061b2b49c8629e7.txt');

describe('emcee demo resets only its own database (hardening #14)', () => {
  it('refuses a database with imported sessions and leaves it, and its folder, unchanged', async () => {
    const db = join(dir, 'emcee.sqlite');
    expect((await emcee('import', seedPath('001_390feaa8c4f3efe6.txt'), '--db', db)).code).toBe(0);
    const before = dumpDb(db);
    const files = readdirSync(dir).sort();
    const run = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', SMALL());
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`emcee: ${db} is not a demo database (the demo resets only databases it created itself, and this one would lose everything in it); give --db a new file, or leave --db out\n`);
    expect(dumpDb(db)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it('refuses a file that is not a database at all', async () => {
    const db = join(dir, 'notes.txt');
    writeFileSync(db, 'my notes');
    const run = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', SMALL());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not a demo database/);
    expect(readFileSync(db, 'utf8')).toBe('my notes');
  });

  it('creates a new database, marks it, and resets it on the next run; output goes to <db>-output/', async () => {
    const db = join(dir, 'mine.sqlite');
    const first = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', SMALL());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${join(dir, 'mine-output')}/recaps/session-`);
    expect(existsSync(join(dir, 'mine-output', 'site', 'index.html'))).toBe(true);
    expect(readdirSync(dir).filter((f) => !f.startsWith('mine.sqlite')).sort()).toEqual(['mine-output']);
    const second = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', SMALL());
    expect(second.code, second.stderr).toBe(0);
    // Reset, not added to: one archive and one live session, as after the first run.
    expect(dumpDb(db).sessions).toHaveLength(2);
  }, 60_000);

  it('refuses an output folder it did not create', async () => {
    const db = join(dir, 'fresh.sqlite');
    mkdirSync(join(dir, 'fresh-output'));
    writeFileSync(join(dir, 'fresh-output', 'thesis.md'), 'mine');
    const run = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', SMALL());
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`emcee: ${join(dir, 'fresh-output')} is not empty and was not made by the demo; the demo writes its recaps and site there, so move it away or give --db another name\n`);
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(join(dir, 'fresh-output'))).toEqual(['thesis.md']);
  });
});

describe('emcee demo checks the transcript before starting (hardening #30)', () => {
  it('a message over 2,000 characters is refused with its file and line, before anything starts', async () => {
    const file = join(dir, 'long.txt');
    const long = `A1: ${'x'.repeat(2341)}`;
    writeFileSync(file, `#badgechat Archive\n\nblurb\n\nMonday October 22, 2018\n6:30 PM EDT\n  • amy - Moderator Oct 22 @ 6:31 PM EDT\n    Q1: what?\n  • bob Oct 22 @ 6:32 PM EDT\n    ${long}\n`);
    const db = join(dir, 'demo.sqlite');
    const run = await emcee('demo', '--db', db, '--speed', '10000', '--transcript', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`emcee: ${file}:9: the message at line 9 is 2,345 characters; Discord allows 2,000, so the demo cannot post it (shorten it, or split it in two)\n`);
    expect(run.stdout).toBe('');
    expect(existsSync(db)).toBe(false);
  });
});

describe('emcee demo where it cannot write', () => {
  it('a database path under a file is one clear line', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const run = await emcee('demo', '--db', join(dir, 'a-file', 'demo.sqlite'), '--speed', '10000', '--transcript', SMALL());
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^emcee: cannot write .*a-file.*(ENOTDIR|EEXIST)\)\n$/);
  });
});
