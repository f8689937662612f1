import { openSync, closeSync, fstatSync, readFileSync } from 'node:fs';
import { MAX_ARCHIVE_BYTES, parseArchive } from './parse.ts';
import { ArchiveError, type Transcript } from './types.ts';

/** Reads and parses an archive file; the size is checked before anything is read. */
export function readArchiveFile(path: string): Transcript {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ArchiveError(path, 0, `cannot open the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ArchiveError(path, 0, 'is a directory, not an archive file');
    if (stat.size > MAX_ARCHIVE_BYTES) {
      throw new ArchiveError(path, 1, `the file is ${(stat.size / 1024 / 1024).toFixed(1)} MB; archives larger than ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB are refused`);
    }
    return parseArchive(readFileSync(fd), path);
  } finally {
    closeSync(fd);
  }
}
