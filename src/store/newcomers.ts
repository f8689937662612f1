/**
 * First-timers of a session (issue 15, "Live, for moderators"): who wrote in this session
 * and in no earlier session of its series, their first message, and whether anyone has
 * replied to them yet. One statement, the same text in SQLite and PostgreSQL
 * (postgres/newcomers.ts binds it with $1); no migration.
 *
 * People are told apart by their name, as store.messages.authorsBefore and the recaps do
 * (imported archives have names only). Moderators, the bot's own posts and deleted
 * messages are left out. "Replied to" means a Discord reply (replyToId) to any of their
 * messages of this session, by anyone else (participant or moderator), not deleted; an
 * answer in a question's thread is not a reply to them.
 */
import type { Db } from './db.ts';

export interface FirstTimer {
  authorName: string;
  /** Their messages in this session. */
  messages: number;
  /** Their first message of the session. */
  first: { platformId: string; channelId: string | null; threadId: string | null; postedAt: Date | null };
  /** Someone else has replied (Discord reply) to one of their messages. */
  repliedTo: boolean;
}

export interface NewcomerRepository {
  /** A session's first-timers, in the order they first wrote (an unknown session: none). */
  firstTimers(sessionId: number): Promise<FirstTimer[]>;
}

/** The statement, with the session's id as its one `?` (PostgreSQL: `$1`). */
export const FIRST_TIMERS = `
WITH here AS (SELECT id, series_id, starts_at FROM sessions WHERE id = ?),
mine AS (
  SELECT m.* FROM messages m JOIN here ON m.session_id = here.id
  WHERE m.author_name IS NOT NULL AND m.from_self = false AND m.deleted_at IS NULL
),
newcomers AS (
  SELECT author_name FROM mine GROUP BY author_name HAVING SUM(CASE WHEN is_moderator THEN 1 ELSE 0 END) = 0
  EXCEPT
  SELECT m.author_name FROM messages m JOIN sessions s ON s.id = m.session_id JOIN here ON s.series_id = here.series_id
  WHERE s.starts_at < here.starts_at AND m.author_name IS NOT NULL AND m.from_self = false AND m.deleted_at IS NULL
),
replied AS (
  SELECT DISTINCT o.author_name FROM mine r JOIN messages o ON o.platform_id = r.reply_to_id
  WHERE r.reply_to_id IS NOT NULL AND o.session_id = r.session_id AND o.deleted_at IS NULL AND r.author_name <> o.author_name
),
ranked AS (
  SELECT mine.*, ROW_NUMBER() OVER (PARTITION BY author_name ORDER BY posted_at NULLS FIRST, archive_index NULLS FIRST, id) AS n,
    COUNT(*) OVER (PARTITION BY author_name) AS total
  FROM mine
)
SELECT f.author_name, f.total, f.platform_id, f.channel_id, f.thread_id, f.posted_at,
  CASE WHEN f.author_name IN (SELECT author_name FROM replied) THEN 1 ELSE 0 END AS replied
FROM ranked f JOIN newcomers USING (author_name)
WHERE f.n = 1
ORDER BY f.posted_at NULLS FIRST, f.archive_index NULLS FIRST, f.id`;

export interface FirstTimerRow {
  author_name: string;
  total: number | string;
  platform_id: string;
  channel_id: string | null;
  thread_id: string | null;
  posted_at: string | Date | null;
  replied: number;
}

export function toFirstTimer(r: FirstTimerRow): FirstTimer {
  return {
    authorName: r.author_name,
    messages: Number(r.total),
    first: { platformId: r.platform_id, channelId: r.channel_id, threadId: r.thread_id, postedAt: r.posted_at === null ? null : new Date(r.posted_at) },
    repliedTo: Number(r.replied) === 1,
  };
}

type Runner = <T>(fn: () => T) => Promise<T>;

/** The SQLite statement, prepared once. */
export class NewcomerStatements {
  readonly firstTimers;

  constructor(db: Db) {
    this.firstTimers = db.prepare<[number], FirstTimerRow>(FIRST_TIMERS);
  }
}

export function newcomerRepository(s: NewcomerStatements, run: Runner): NewcomerRepository {
  return { firstTimers: (sessionId) => run(() => s.firstTimers.all(sessionId).map(toFirstTimer)) };
}
