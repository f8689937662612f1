import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env: { LOG_LEVEL: 'silent', ...env },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function database(): { dir: string; db: string } {
  const dir = mkdtempSync(`${tmpdir()}/emcee-cli-backup-`);
  dirs.push(dir);
  openDatabase(`${dir}/emcee.sqlite`).close();
  return { dir, db: `${dir}/emcee.sqlite` };
}

describe('emcee backup', () => {
  it('writes the copy and says where and how big', async () => {
    const { dir, db } = database();
    const r = await run(['backup', '--out', `${dir}/copy.sqlite`], { DATABASE_PATH: db });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const kb = (statSync(`${dir}/copy.sqlite`).size / 1024).toFixed(1);
    expect(r.stdout).toBe(`backed up ${db} to ${dir}/copy.sqlite: ${kb} KB, schema version ${migrations.at(-1)!.version}, integrity ok\n`);
  });

  it('an existing --out without --force: one line, exit 1, nothing written', async () => {
    const { dir, db } = database();
    await run(['backup', '--out', `${dir}/copy.sqlite`, '--db', db]);
    const before = statSync(`${dir}/copy.sqlite`).mtimeMs;
    const r = await run(['backup', '--out', `${dir}/copy.sqlite`, '--db', db]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `emcee: cannot write ${dir}/copy.sqlite: it exists already; choose a new name, or add --force to replace it\n`]);
    expect(statSync(`${dir}/copy.sqlite`).mtimeMs).toBe(before);
    expect((await run(['backup', '--out', `${dir}/copy.sqlite`, '--db', db, '--force'])).code).toBe(0);
  });

  it('an --out in a missing folder: one line, exit 1; no --out: usage, exit 2', async () => {
    const { dir, db } = database();
    const r = await run(['backup', '--out', `${dir}/no/copy.sqlite`, '--db', db]);
    expect([r.code, r.stderr]).toEqual([1, `emcee: cannot write ${dir}/no/copy.sqlite: the folder ${dir}/no does not exist (emcee backup creates no folders)\n`]);
    expect(existsSync(`${dir}/no`)).toBe(false);
    const usage = await run(['backup', '--db', db]);
    expect([usage.code, usage.stderr]).toEqual([2, 'emcee: backup needs --out FILE, the new file to write: emcee backup --out backups/emcee-2026-12-02.sqlite\n']);
  });

  it('on PostgreSQL: one line pointing to pg_dump, exit 1', async () => {
    const { dir } = database();
    const r = await run(['backup', '--out', `${dir}/copy.sqlite`], { DATABASE_URL: 'postgres://emcee:secret@db.example:5432/emcee' });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([expect.stringMatching(/^emcee: emcee backup copies SQLite files, and this Emcee uses PostgreSQL \(DATABASE_URL\): back it up with pg_dump, for example pg_dump /), '']);
    expect(r.stderr).not.toContain('secret');
    expect(readdirSync(dir)).not.toContain('copy.sqlite');
  });

  it('a command that migrates an older file says where the copy from before went', async () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-cli-backup-`);
    dirs.push(dir);
    openDatabase(`${dir}/old.sqlite`, migrations.slice(0, 9)).close();
    const r = await run(['bank', 'list', '--db', `${dir}/old.sqlite`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`emcee: ${dir}/old.sqlite.before-migration-010.bak: a copy of the database at schema version 9, written before migrating it to ${migrations.at(-1)!.version}\n`);
  });
});
