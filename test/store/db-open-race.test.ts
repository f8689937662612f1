import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * Several processes (the bot, `emcee` commands, a second bot by mistake) opening a brand-new
 * database at the same instant: every one succeeds and the migrations run exactly once.
 * Real child processes, released together: each loads everything, then waits for the same
 * wall-clock instant before opening, so the opens really overlap.
 */

const PROCESSES = 8;

const CHILD = `
import { openDatabase } from ${JSON.stringify(`${ROOT}src/store/db.ts`)};
const [path, at] = [process.argv[1], Number(process.argv[2])];
while (Date.now() < at) {} // spin to the shared instant: a timer would add jitter
try {
  openDatabase(path).close();
  process.stdout.write('ok');
} catch (err) {
  process.stdout.write('failed: ' + (err && err.message));
  process.exitCode = 1;
}
`;

function openFrom(path: string, at: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, path, String(at)], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('a new database opened by 8 processes at once', () => {
  it('opens in every one of them, with the schema created once', async () => {
    const reference = `${mkdtempSync(`${tmpdir()}/emcee-race-`)}/reference.sqlite`;
    (await import('../../src/store/db.ts')).openDatabase(reference).close();

    // Two rounds: before the fix, 5 rounds in 6 had a process fail with "table series already exists".
    for (let round = 0; round < Number(process.env.EMCEE_RACE_ROUNDS ?? 2); round++) {
      const path = `${mkdtempSync(`${tmpdir()}/emcee-race-`)}/emcee.sqlite`;
      // Children take about a second to load tsx and the store; release them together after that.
      const at = Date.now() + 2000;
      const runs = await Promise.all(Array.from({ length: PROCESSES }, () => openFrom(path, at)));
      for (const run of runs) expect(run.out, run.err).toBe('ok');
      expect(schemaOf(path)).toEqual(schemaOf(reference));
      const db = new Database(path, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    }
  }, 60_000);
});
