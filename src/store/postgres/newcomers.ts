/** First-timers in PostgreSQL: the same statement as ../newcomers.ts (read it first), bound with $1. */
import { FIRST_TIMERS, toFirstTimer, type FirstTimerRow, type NewcomerRepository } from '../newcomers.ts';
import type { Run } from './run.ts';

const STATEMENT = FIRST_TIMERS.replace('?', '$1');

export function newcomerRepository(run: Run): NewcomerRepository {
  return { firstTimers: (sessionId) => run(async (db) => (await db.rows<FirstTimerRow>(STATEMENT, [sessionId])).map(toFirstTimer)) };
}
