/**
 * Opening a PostgreSQL server named by DATABASE_URL the way an operator needs it: a server
 * that refuses, does not answer, or turns the login down is one line (host and database
 * named, the password masked), a StoreError, never a driver's stack.
 */
import pg from 'pg';
import type { Clock } from '../../domain/clock.ts';
import { StoreError } from '../errors.ts';
import { openPostgresStore } from './index.ts';
import type { PostgresStore } from './store.ts';
import { describeTarget, maskUrl, passwordOf } from './url.ts';

/** How long a server may take to accept a session before it counts as not answering. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  connectTimeoutMs?: number;
}

/**
 * One session to the server, opened and closed: it answers, and lets this login in to this
 * database. (node-postgres's pool waits forever for a server that does not answer.)
 */
export async function probePostgres(url: string, { connectTimeoutMs = CONNECT_TIMEOUT_MS }: ConnectOptions = {}): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {}); // a session lost after the probe: nothing to do
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw explainPostgresError(url, err, connectTimeoutMs);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The store on the server at url, its schema brought up to date; StoreError when that cannot be. */
export async function openServerStore(url: string, clock: Clock, options: ConnectOptions = {}): Promise<PostgresStore> {
  await probePostgres(url, options);
  try {
    return await openPostgresStore(url, clock);
  } catch (err) {
    throw explainPostgresError(url, err, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'the server refused the connection (is PostgreSQL running there, on that port?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ETIMEDOUT: 'the server did not answer',
  ECONNRESET: 'the server closed the connection',
  '28P01': 'the server refused the login (wrong user name or password)',
  '28000': 'the server refused the login (no pg_hba.conf entry allows it)',
  '3D000': 'the database does not exist (create it first: createdb)',
  '42501': 'the user may not use it (permission denied)',
  '53300': 'the server has too many connections',
  '57P03': 'the server is starting up or shutting down',
};

/** One line naming the database and host, the password masked, the reason in words. */
export function explainPostgresError(url: string, err: unknown, connectTimeoutMs = CONNECT_TIMEOUT_MS): Error {
  if (err instanceof StoreError) return new StoreError(scrub(url, err.message));
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  const reason = REASONS[code]
    ?? (/timeout|timed out/i.test(message) ? `the server did not answer within ${connectTimeoutMs / 1000} s` : scrub(url, message.split('\n')[0]!));
  return new StoreError(`cannot use the PostgreSQL ${describeTarget(url)} (${maskUrl(url)}): ${reason}. Nothing was changed.`);
}

function scrub(url: string, text: string): string {
  const password = passwordOf(url);
  return password ? text.split(password).join('***') : text;
}
