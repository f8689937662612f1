import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileWriteError, writeChunksAtomic, writeFileAtomic } from '../../src/fs/atomic.ts';
import { recapCommand } from '../../src/cli/recap.ts';
import { writeSite } from '../../src/recap/site.ts';
import { importedSeeds } from '../helpers/recap.ts';
import type { CliIo } from '../../src/cli/io.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-atomic-'));
});

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
/** A writer that takes `okChunks` chunks, then fails as a full disk does. */
function fullDiskAfter(okChunks: number) {
  let n = 0;
  return (fd: number, chunk: string | Uint8Array) => {
    if (n++ >= okChunks) throw enospc();
    writeFileSync(fd, chunk);
  };
}
const quietIo: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };

describe('atomic writes', () => {
  it('a write that fails midway leaves the previous file intact and no temporary file', async () => {
    const file = join(dir, 'recap.csv');
    writeFileSync(file, 'previous good file\n');
    function* chunks() {
      yield 'first part\n';
      throw new Error('the export failed midway');
    }
    expect(() => writeChunksAtomic(file, chunks())).toThrow('the export failed midway');
    expect(readFileSync(file, 'utf8')).toBe('previous good file\n');
    expect(readdirSync(dir)).toEqual(['recap.csv']);

    expect(() => writeChunksAtomic(file, ['a', 'b', 'c'], { writeChunk: fullDiskAfter(1) })).toThrow(FileWriteError);
    expect(() => writeChunksAtomic(file, ['a', 'b'], { writeChunk: fullDiskAfter(1) })).toThrow(`cannot write ${file}: no space left on the device (ENOSPC)`);
    expect(readFileSync(file, 'utf8')).toBe('previous good file\n');
    expect(readdirSync(dir)).toEqual(['recap.csv']);

    writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['recap.csv']);
  });

  it('recap --out on a disk that fills up midway keeps the previous recap', async () => {
    const { store, sessions } = await importedSeeds();
    const id = sessions.get('001_390feaa8c4f3efe6.txt')!;
    const out = join(dir, 'recap.csv');
    writeFileSync(out, 'previous good recap\n');
    await expect(recapCommand(quietIo, store, String(id), 'csv', out, { writeChunk: fullDiskAfter(2) })).rejects.toThrow(/cannot write .*recap\.csv: no space left on the device \(ENOSPC\)/);
    expect(readFileSync(out, 'utf8')).toBe('previous good recap\n');
    expect(readdirSync(dir)).toEqual(['recap.csv']);
  });

  it('site on a disk that fills up midway leaves no empty or partial page', async () => {
    const { store } = await importedSeeds();
    const out = join(dir, 'site');
    const first = await writeSite(store, out);
    const before = Object.fromEntries([first.index, ...first.pages].map((p) => [p, readFileSync(p, 'utf8')]));
    await expect(writeSite(store, out, { writeChunk: fullDiskAfter(2) })).rejects.toThrow(/no space left on the device/);
    for (const [p, text] of Object.entries(before)) expect(readFileSync(p, 'utf8'), p).toBe(text);
    const leftovers = [...readdirSync(out), ...readdirSync(join(out, 'sessions'))].filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('a device is written in place, never replaced by a file', async () => {
    expect(() => writeFileAtomic('/dev/full', 'x')).toThrow('cannot write /dev/full: no space left on the device (ENOSPC)');
    expect(existsSync('/dev/full')).toBe(true);
    mkdirSync(join(dir, 'd'));
    expect(() => writeFileAtomic(join(dir, 'd'), 'x')).toThrow(/cannot write .*\/d: it is a directory/);
  });
});
