import type { Writable } from 'node:stream';

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
