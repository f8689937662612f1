import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_ARCHIVE_BYTES, parseArchive } from './parse.ts';
import { ArchiveError, type Transcript } from './types.ts';
import { archiveContentHash } from './hash.ts';

/** The names that mean "read the archive from standard input". */
export const STDIN_NAMES: readonly string[] = ['-', '/dev/stdin'];

/**
 * Reads and parses an archive file.
 *
 * The 5 MB limit holds for every read, whatever the file is: at most MAX_ARCHIVE_BYTES + 1
 * bytes are ever read (the extra byte tells "exactly 5 MB" from "more"), so a file that
 * grows, or lies about its size, cannot make the read unbounded. Only regular files are
 * read, plus standard input when the name is "-" (or /dev/stdin): a device (/dev/zero), a
 * FIFO or a socket is refused by name. The file is opened with O_NONBLOCK, so opening a
 * FIFO that has no writer returns at once (and is then refused) instead of waiting forever.
 *
 * The transcript's sha256 is the hash of the normalised text (see hash.ts), so the same chat
 * is recognised whatever its line endings or byte-order mark; rawSha256 is the hash of the
 * bytes, which older databases stored.
 */
export function readArchiveFile(path: string): Transcript {
  return parseArchiveBytes(STDIN_NAMES.includes(path) ? readCapped(0, path) : readRegularFile(path), path);
}

/**
 * parseArchive for bytes read elsewhere (an upload): the same transcript as readArchiveFile,
 * with the normalised sha256 (and rawSha256), so every import path recognises the same chat.
 */
export function parseArchiveBytes(bytes: Uint8Array, file: string): Transcript {
  const transcript = parseArchive(bytes, file);
  return { ...transcript, sha256: archiveContentHash(bytes), rawSha256: transcript.sha256 };
}

function readRegularFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ArchiveError(path, 0, `cannot open the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ArchiveError(path, 0, 'is a directory, not an archive file');
    if (!stat.isFile()) {
      throw new ArchiveError(path, 0, 'is not a regular file (a device, FIFO or socket): archives are read from files, or from standard input with "-"');
    }
    if (stat.size > MAX_ARCHIVE_BYTES) throw tooBig(path, `is ${(stat.size / 1024 / 1024).toFixed(1)} MB`);
    return readCapped(fd, path);
  } finally {
    closeSync(fd);
  }
}

function tooBig(path: string, size: string): ArchiveError {
  return new ArchiveError(path, 1, `the file ${size}; archives larger than ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB are refused`);
}

/** Reads fd to its end, or fails as soon as it holds more than MAX_ARCHIVE_BYTES. */
function readCapped(fd: number, path: string): Buffer {
  const buffer = Buffer.alloc(MAX_ARCHIVE_BYTES + 1);
  let length = 0;
  while (length < buffer.length) {
    let n: number;
    try {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Standard input may be non-blocking (a terminal or pipe set so by the parent): wait a little.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw new ArchiveError(path, 0, `cannot read the file (${code ?? String(err)})`);
    }
    if (n === 0) return buffer.subarray(0, length);
    length += n;
  }
  throw tooBig(path, `is over ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB`);
}
