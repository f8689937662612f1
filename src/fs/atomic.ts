import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Files the CLI writes (recaps, site pages) are written whole or not at all: the text goes
 * to a temporary file beside the target (".<name>.<pid>.<n>.tmp", same folder so the rename
 * stays on one file system), which is flushed and then renamed over the target. A failure
 * midway (a full disk, a chunk that throws) removes the temporary file and leaves the
 * previous file as it was.
 *
 * Targets that exist and are not regular files (/dev/stdout, /dev/full, a FIFO) are written
 * directly: renaming over them would replace the device or pipe with a file.
 */

/** A file could not be written; the message names the path and the reason, for one line at the terminal. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  constructor(readonly path: string, readonly code: string, reason: string) {
    super(`cannot write ${path}: ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'a file of that name is in the way',
  EIO: 'input/output error',
  EPIPE: 'the reader closed the pipe',
};

/** The error as a FileWriteError about `path` (errors without a code are passed through). */
export function explainWriteError(path: string, err: unknown): Error {
  if (err instanceof FileWriteError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return err as Error;
  return new FileWriteError(path, code, `${REASONS[code] ?? 'the system refused'} (${code})`);
}

/** Creates the folder (and its parents), as mkdir -p, with a FileWriteError naming it on failure. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw explainWriteError(dir, err);
  }
}

export interface WriteOptions {
  /** Writes one chunk to the open file; injectable so tests can fail a write midway. */
  writeChunk?: (fd: number, chunk: string | Uint8Array) => void;
}

let counter = 0;

/** Writes `data` to `path` atomically (see above). */
export function writeFileAtomic(path: string, data: string | Uint8Array, options?: WriteOptions): void {
  writeChunksAtomic(path, [data], options);
}

/**
 * The streaming variant: the chunks are written one by one as they are produced (the CSV,
 * JSON and archive exports read the database as they go), so memory stays flat, and the
 * target is replaced only once the last chunk is on disk.
 */
export function writeChunksAtomic(path: string, chunks: Iterable<string | Uint8Array>, { writeChunk = defaultWrite }: WriteOptions = {}): void {
  const file = openAtomic(path);
  try {
    for (const chunk of chunks) writeChunk(file.fd, chunk);
  } catch (err) {
    throw file.abort(err);
  }
  file.commit();
}

/** writeChunksAtomic for chunks produced asynchronously (the recap exports read the store as they go). */
export async function writeChunksAtomicAsync(path: string, chunks: AsyncIterable<string | Uint8Array>, { writeChunk = defaultWrite }: WriteOptions = {}): Promise<void> {
  const file = openAtomic(path);
  try {
    for await (const chunk of chunks) writeChunk(file.fd, chunk);
  } catch (err) {
    throw file.abort(err);
  }
  file.commit();
}

/** The open target (or temporary file): commit() puts it in place, abort() removes it and explains the error. */
function openAtomic(path: string): { fd: number; commit(): void; abort(err: unknown): Error } {
  if (path === '') throw new FileWriteError(path, 'EINVAL', 'the path is empty');
  const target = resolveTarget(path);
  if (target.special) {
    // A device or pipe: no temporary file, no rename.
    let fd: number;
    try {
      fd = openSync(target.path, 'w');
    } catch (err) {
      throw explainWriteError(path, err);
    }
    return {
      fd,
      commit: () => closeSync(fd),
      abort: (err) => {
        closeSync(fd);
        return explainWriteError(path, err);
      },
    };
  }
  ensureDir(dirname(target.path));
  const tmp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.${++counter}.tmp`);
  let fd: number | undefined;
  const abort = (err: unknown): Error => {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing: the first error is the one to report */ }
    }
    rmSync(tmp, { force: true });
    return explainWriteError(path, err);
  };
  try {
    fd = openSync(tmp, 'wx', target.mode);
  } catch (err) {
    throw abort(err);
  }
  const open = fd;
  return {
    fd: open,
    commit: () => {
      try {
        fsyncSync(open);
        closeSync(open);
        fd = undefined;
        renameSync(tmp, target.path);
      } catch (err) {
        throw abort(err);
      }
    },
    abort,
  };
}

function defaultWrite(fd: number, chunk: string | Uint8Array): void {
  const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Where to write: an existing symlink is followed (its target is replaced, the link kept),
 * an existing directory is refused, and an existing non-regular file is written directly.
 * A new file gets mode 0o666 less the umask, an existing one keeps its mode.
 */
function resolveTarget(path: string): { path: string; special: boolean; mode: number } {
  let st;
  try {
    st = statSync(path); // follows links: /dev/stdout is whatever fd 1 is
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw explainWriteError(path, err);
    return { path, special: false, mode: 0o666 };
  }
  if (st.isDirectory()) throw new FileWriteError(path, 'EISDIR', 'it is a directory (EISDIR)');
  // A device, pipe or socket is opened by the name given (its real path may not exist:
  // /dev/stdout on a pipe resolves to "/proc/<pid>/fd/pipe:[…]").
  if (!st.isFile()) return { path, special: true, mode: 0 };
  try {
    return { path: realpathSync(path), special: false, mode: st.mode & 0o7777 };
  } catch (err) {
    throw explainWriteError(path, err);
  }
}
