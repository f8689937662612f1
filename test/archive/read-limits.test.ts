import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/seeds.ts';

/**
 * The 5 MB archive limit holds whatever the file is: archives are read from regular files
 * (or standard input, "-"), never more than the limit plus one byte, and a device, FIFO or
 * socket is refused by name at once instead of being read without end or waited on.
 */

const ENV = { PATH: process.env.PATH, HOME: '/tmp', LOG_LEVEL: 'silent' };
// A hang or an unbounded read shows as this timeout; a correct run takes a second or two.
const BOUND_MS = 20_000;

function emcee(args: string[], stdin: number | 'ignore' = 'ignore') {
  return spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, ...args], {
    encoding: 'utf8', env: ENV, timeout: BOUND_MS, killSignal: 'SIGKILL', stdio: [stdin, 'pipe', 'pipe'],
  });
}

describe('reading an archive that is not a regular file', () => {
  it('/dev/zero is refused at once, by name, without reading it', () => {
    const run = emcee(['replay', '/dev/zero']);
    expect(run.signal, 'the read did not stop').toBeNull();
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^emcee: \/dev\/zero(:0)?: is not a regular file \(a device, FIFO or socket\)/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a FIFO with no writer is refused at once instead of waiting forever', () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-fifo-`);
    expect(spawnSync('mkfifo', [`${dir}/pipe.txt`]).status).toBe(0);
    const run = emcee(['replay', `${dir}/pipe.txt`]);
    expect(run.signal, 'the read blocked').toBeNull();
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/pipe\.txt(:0)?: is not a regular file \(a device, FIFO or socket\)/);
  });

  it('standard input ("-") is read with the same cap: an endless stream stops at 5 MB', () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const run = emcee(['replay', '-'], zero);
      expect(run.signal, 'the read did not stop').toBeNull();
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toMatch(/^emcee: -(:\d+)?: the file is over 5 MB; archives larger than 5 MB are refused$/);
    } finally {
      closeSync(zero);
    }
  });

  it('standard input ("-") holding an archive replays like the file', () => {
    const file = `${ROOT}seeds/2018-10-22-badgechat.txt`;
    const fromFile = emcee(['replay', file, '--json']);
    expect(fromFile.status).toBe(0);
    const fd = openSync(file, 'r');
    try {
      const fromStdin = emcee(['replay', '-', '--json'], fd);
      expect(fromStdin.stderr).toBe('');
      expect(fromStdin.status).toBe(0);
      expect(JSON.parse(fromStdin.stdout)).toEqual(JSON.parse(fromFile.stdout));
    } finally {
      closeSync(fd);
    }
    // Through a pipe too (not seekable, arrives in pieces).
    const piped = spawnSync('sh', ['-c', 'cat "$1" | "$2" "$3" replay - --json', 'sh', file, process.execPath, `${ROOT}bin/emcee.js`], {
      encoding: 'utf8', env: ENV, timeout: BOUND_MS, killSignal: 'SIGKILL',
    });
    expect(piped.status).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual(JSON.parse(fromFile.stdout));
  });
});
