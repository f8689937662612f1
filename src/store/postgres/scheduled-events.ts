/** A session's Scheduled Event in PostgreSQL (same behaviour as ../scheduled-events.ts). */
import { changeColumns, toSessionEvent, type ScheduledEventRepository, type SessionEventRow } from '../scheduled-events.ts';
import type { Run } from './run.ts';

export function scheduledEventRepository(run: Run): ScheduledEventRepository {
  const get = (sessionId: number) => run(async (db) => {
    const row = await db.one<SessionEventRow>('SELECT * FROM session_events WHERE session_id = $1', [sessionId]);
    return row ? toSessionEvent(row) : null;
  });
  return {
    get,
    begin: (sessionId, guildId, marker, at) => run(async (db) => {
      await db.run(
        "INSERT INTO session_events (session_id, guild_id, marker, state, updated_at) VALUES ($1, $2, $3, 'creating', $4) ON CONFLICT (session_id) DO NOTHING",
        [sessionId, guildId, marker, at],
      );
      return toSessionEvent((await db.one<SessionEventRow>('SELECT * FROM session_events WHERE session_id = $1', [sessionId]))!);
    }),
    update: (sessionId, change, at) => run(async (db) => {
      const cols = [...changeColumns(change, (d) => d), ['updated_at', at] as [string, unknown]];
      const row = await db.one<SessionEventRow>(
        `UPDATE session_events SET ${cols.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE session_id = $${cols.length + 1} RETURNING *`,
        [...cols.map(([, v]) => v), sessionId],
      );
      return row ? toSessionEvent(row) : null;
    }),
    listOpen: () => run(async (db) => (await db.rows<SessionEventRow>(
      "SELECT * FROM session_events WHERE state IN ('creating', 'scheduled', 'active') ORDER BY session_id",
    )).map(toSessionEvent)),
  };
}
