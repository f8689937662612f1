/** The recap's insight queries in PostgreSQL: the same as ../insight-queries.ts (read it first). */
import { toLinkMessage, type InsightQueryRepository } from '../insight-queries.ts';
import type { Run } from './run.ts';

/** SQLite's order: NULLs first. */
const CHAT_ORDER = 'm.posted_at NULLS FIRST, m.archive_index NULLS FIRST, m.id';

export function insightQueryRepository(run: Run): InsightQueryRepository {
  return {
    replyGroups: (sessionId) => run(async (db) => (await db.rows<{ to: string; from: string; moderator: boolean; replies: string; answers: string }>(
      `SELECT coalesce(t.author_name, 'anonymous') AS "to", coalesce(m.author_name, 'anonymous') AS "from", m.is_moderator AS moderator,
         count(*) AS replies, count(a.message_id) AS answers
       FROM messages m JOIN messages t ON t.platform_id = m.reply_to_id AND t.session_id = m.session_id
         LEFT JOIN answers a ON a.message_id = m.id AND a.via <> 'inferred'
       WHERE m.session_id = $1 AND m.from_self = false AND m.deleted_at IS NULL AND t.from_self = false AND t.deleted_at IS NULL
         AND coalesce(t.author_name, 'anonymous') <> coalesce(m.author_name, 'anonymous')
       GROUP BY 1, 2, 3`,
      [sessionId],
    )).map((r) => ({ to: r.to, from: r.from, moderator: r.moderator, replies: Number(r.replies), answers: Number(r.answers) }))),
    messagesAfter: (sessionId, after) => run(async (db) => Number((await db.one<{ n: string }>(
      'SELECT count(*) AS n FROM messages WHERE session_id = $1 AND from_self = false AND deleted_at IS NULL AND posted_at > $2',
      [sessionId, after],
    ))?.n ?? 0)),
    linkMessages: (sessionId) => run(async (db) => (await db.rows<{ text: string; author: string; question: number | null; takeaway: boolean | null }>(
      `SELECT m.text, coalesce(m.author_name, 'anonymous') AS author, a.question, a.takeaway
       FROM messages m LEFT JOIN answers a ON a.message_id = m.id AND a.via <> 'inferred'
       WHERE m.session_id = $1 AND m.from_self = false AND m.deleted_at IS NULL AND (m.text ILIKE '%http://%' OR m.text ILIKE '%https://%')
       ORDER BY ${CHAT_ORDER}`,
      [sessionId],
    )).map(toLinkMessage)),
  };
}
