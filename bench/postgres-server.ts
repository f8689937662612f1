/**
 * Which PostgreSQL server the ingest benchmark runs on: EMCEE_BENCH_POSTGRES_URL when set;
 * otherwise a throwaway cluster of its own (scripts/pg-throwaway.sh: initdb in a temp dir,
 * 127.0.0.1, a free port, the server's default durability settings), stopped after; or none,
 * with the reason the PostgreSQL rows then show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const NO_POSTGRES = 'not run: no PostgreSQL (set EMCEE_BENCH_POSTGRES_URL or install postgresql)';

export type BenchPostgresServer =
  | { url: string; source: 'EMCEE_BENCH_POSTGRES_URL' | 'throwaway cluster'; stop(): Promise<void> }
  | { url: null; reason: string };

const SCRIPT = fileURLToPath(new URL('../scripts/pg-throwaway.sh', import.meta.url));
/** The script's exit status when the machine has no PostgreSQL binaries. */
const NO_BINARIES = 3;

export async function benchPostgresServer(): Promise<BenchPostgresServer> {
  const given = process.env.EMCEE_BENCH_POSTGRES_URL;
  if (given) return { url: given, source: 'EMCEE_BENCH_POSTGRES_URL', stop: async () => {} };
  // Keeps the cluster until its stdin closes: if this process dies, the pipe closes and the
  // script stops and removes the cluster all the same.
  const child = spawn('bash', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string | null>((resolve) => {
    child.stdout.on('data', () => {
      const line = out.split('\n').find((l) => l.startsWith('postgres://'));
      if (line) resolve(line.trim());
    });
    child.on('exit', () => resolve(null));
    child.on('error', () => resolve(null));
  });
  if (url === null) {
    await exited(child);
    if (child.exitCode === NO_BINARIES) return { url: null, reason: NO_POSTGRES };
    return { url: null, reason: `not run: the throwaway PostgreSQL cluster did not start (${err.trim().split('\n').slice(-3).join(' / ') || `exit ${child.exitCode}`})` };
  }
  return {
    url,
    source: 'throwaway cluster',
    stop: async () => {
      child.stdin.end();
      await exited(child);
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
