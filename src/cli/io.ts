import type { Writable } from 'node:stream';
import { terminalSafe } from '../domain/text.ts';

/** Where a command writes and what it reads from the environment: injectable for tests. */
export interface CliIo {
  stdout: Pick<Writable, 'write'> & { isTTY?: boolean; columns?: number };
  stderr: Pick<Writable, 'write'> & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** An error whose message is for the person at the terminal; exitCode 2 means bad usage. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

/**
 * The CLI's stdout with user text made safe for a terminal (#28): every command prints
 * through it (bank lists, status, replay, recap to stdout, the demo), so no control
 * character from an archive or a moderator reaches the terminal, whatever the command.
 * Only stdout: stderr carries the progress bar's own controls, and errors quote user text
 * with visible escapes. Files written with --out keep their bytes exact.
 */
export function terminalSafeStdout(io: CliIo): CliIo {
  const out = io.stdout;
  const stdout: CliIo['stdout'] = {
    get isTTY() { return out.isTTY; },
    get columns() { return out.columns; },
    write: ((chunk: unknown, ...rest: unknown[]) =>
      (out.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? terminalSafe(chunk) : chunk, ...rest)) as CliIo['stdout']['write'],
  };
  return { ...io, stdout };
}

export function line(stream: CliIo['stdout'], text = ''): void {
  stream.write(`${text}\n`);
}

/** One line per message in terminal output: newlines shown as " ⏎ ". */
export function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}

/**
 * Progress on stderr: a redrawn bar on a terminal, one line per step otherwise (CI logs).
 */
export function progress(io: CliIo, total: number): (done: number, label: string) => void {
  const width = 24;
  return (done, label) => {
    if (io.stderr.isTTY) {
      const filled = Math.round((done / total) * width);
      io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}\u001b[K`);
      if (done === total) io.stderr.write('\n');
    } else {
      line(io.stderr, `[${done}/${total}] ${label}`);
    }
  };
}

/**
 * `emcee replay FILE | head -1`: once the reader has gone, writing to stdout fails with EPIPE.
 * Like any Unix tool, Emcee then stops quietly. Decision: exit code 0 — the reader chose to
 * stop reading, which is not a failure of the command (scripts with pipefail keep working).
 * Any other stdout error is one line on stderr and exit 1, never a stack.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  if (stream.listeners('error').includes(onStdoutError)) return;
  exitWith = exit;
  stream.on('error', onStdoutError);
}

let exitWith: (code: number) => void = (code) => process.exit(code);
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') process.stderr.write(`emcee: cannot write to stdout: ${err.message}\n`);
  exitWith(err.code === 'EPIPE' ? 0 : 1);
}
