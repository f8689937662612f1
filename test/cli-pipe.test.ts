import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emcee } from './helpers/emcee-cli.ts';
import { ROOT } from './helpers/seeds.ts';

/**
 * Hardening #18: `emcee … | head -1` must exit quietly once head has gone (EPIPE), as Unix
 * tools do. Real processes and a real pipe; the output is far larger than a pipe's buffer,
 * so emcee is still writing when head exits.
 */
let dir: string;
let archive: string;
let db: string;
const BIN = join(ROOT, 'bin/emcee.js');

/** Runs `emcee args | head -1` in bash with pipefail, so the status is emcee's. */
function pipedToHead(args: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" ${args} | head -1`], {
    encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' }, cwd: dir,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-pipe-'));
  archive = join(dir, 'long.txt');
  db = join(dir, 'emcee.sqlite');
  const header = '#badgechat Archive\n\nblurb\n\nMonday October 22, 2018\n6:30 PM EDT\n';
  const messages = Array.from({ length: 1500 }, (_, i) => `  • user${i % 50} Oct 22 @ 6:${String(31 + (i % 28)).padStart(2, '0')} PM EDT\n    A1: answer number ${i}, long enough to fill the pipe quickly\n`);
  writeFileSync(archive, header + messages.join(''));
  expect((await emcee('import', archive, '--db', db)).code).toBe(0);
}, 60_000);

describe('emcee piped into head -1', () => {
  it('replay FILE | head -1 exits quietly', () => {
    const run = pipedToHead(`replay "${archive}"`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^#badgechat — Monday October 22, 2018, starting 2018-10-22T22:30:00Z\n$/);
  });

  it('recap N --format csv | head -1 exits quietly', () => {
    const run = pipedToHead(`recap 1 --format csv --db "${db}"`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
  });

  it('recap --out /dev/stdout writes to the pipe (a device is written in place) and exits quietly too', () => {
    const run = pipedToHead(`recap 1 --format csv --out /dev/stdout --db "${db}"`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[a-z_]+(,[a-z_]+)+\r?\n$/);
  });
});
