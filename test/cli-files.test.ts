import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emcee } from './helpers/emcee-cli.ts';
import { seedPath } from './helpers/seeds.ts';

/** Hardening #19 (CLI part): a path that cannot be written is one clear line, exit 1, no stack. */
let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-cli-files-'));
  db = join(dir, 'emcee.sqlite');
  expect((await emcee('import', seedPath('002_3061b2b49c8629e7.txt'), '--db', db)).code).toBe(0);
});

describe('writing files from the CLI', () => {
  it('recap --out a directory', async () => {
    mkdirSync(join(dir, 'a-folder'));
    const run = await emcee('recap', '1', '--out', join(dir, 'a-folder'), '--db', db);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe(`emcee: cannot write ${join(dir, 'a-folder')}: it is a directory (EISDIR)\n`);
    expect(readdirSync(join(dir, 'a-folder'))).toEqual([]);
  });

  it('recap --out /dev/full', async () => {
    const run = await emcee('recap', '1', '--format', 'csv', '--out', '/dev/full', '--db', db);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('emcee: cannot write /dev/full: no space left on the device (ENOSPC)\n');
  });

  it("recap --out ''", async () => {
    const run = await emcee('recap', '1', '--out', '', '--db', db);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('emcee: --out needs a file path (it was empty)\n');
  });

  it('recap --out under a file that is not a folder', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    const run = await emcee('recap', '1', '--out', join(dir, 'plain-file', 'recap.md'), '--db', db);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^emcee: cannot write .*plain-file\/recap\.md: a part of the path is not a directory \(ENOTDIR\)\n$/);
    expect(readFileSync(join(dir, 'plain-file'), 'utf8')).toBe('x');
  });

  it('site --out /dev/full', async () => {
    const run = await emcee('site', '--out', '/dev/full', '--db', db);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('emcee: cannot write the site to /dev/full: it is not a directory\n');
  });

  it("site --out ''", async () => {
    const run = await emcee('site', '--out', '', '--db', db);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('emcee: usage: emcee site --out DIR [--force] [--anonymize] (--out was empty)\n');
  });

  it('a good recap --out is still written, and replaced whole', async () => {
    const out = join(dir, 'out', 'recap.md');
    expect((await emcee('recap', '1', '--out', out, '--db', db)).code).toBe(0);
    const first = readFileSync(out, 'utf8');
    expect(first).toMatch(/^# #BadgeChatK12/);
    expect((await emcee('recap', '1', '--out', out, '--db', db)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(first);
    expect(readdirSync(join(dir, 'out'))).toEqual(['recap.md']);
  });
});
