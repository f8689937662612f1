import Database from 'better-sqlite3';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/io.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process, with its output captured. */
export async function emcee(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env: { LOG_LEVEL: 'silent' },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Every row of every table: "unchanged" means this is equal before and after. */
export function dumpDb(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t}`).all()]));
  } finally {
    db.close();
  }
}
