/** The recap's insight queries in PostgreSQL: the same as ../insight-queries.ts (read it first). */
import { toLinkMessage, type InsightQueryRepository } from '../insight-queries.ts';
import type { Run } from './run.ts';

/** SQLite's order: NULLs first. */
const CHAT_ORDER = 'm.posted_at NULLS FIRST, m.archive_index NULLS FIRST, m.id';

export function insightQueryRepository(run: Run): InsightQueryRepository {
  return {
    replyGroups: (sessionId) => run(async (db) => (await db.rows<{ to: string; from: string; moderator: boolean; replies: string; answers: string }>(
      // As the SQLite twin (insight-queries.ts): Discord replies, and archive replies by handle.
      `WITH replies AS (
         SELECT m.id, t.author_name AS to_name FROM messages m JOIN messages t ON t.platform_id = m.reply_to_id AND t.session_id = m.session_id
         WHERE m.session_id = $1 AND t.from_self = false AND t.deleted_at IS NULL
         UNION ALL
         SELECT m.id, (SELECT t.author_name FROM messages t WHERE t.session_id = m.session_id AND t.from_self = false AND t.deleted_at IS NULL
                       AND lower(t.author_name) = lower(m.in_reply_to->>0) LIMIT 1)
         FROM messages m WHERE m.session_id = $1 AND m.reply_to_id IS NULL AND m.in_reply_to <> '[]'::jsonb
       )
       SELECT coalesce(r.to_name, 'anonymous') AS "to", coalesce(m.author_name, 'anonymous') AS "from", m.is_moderator AS moderator,
         count(DISTINCT m.id) AS replies, count(a.message_id) AS answers
       FROM replies r JOIN messages m ON m.id = r.id
         LEFT JOIN answers a ON a.message_id = m.id AND a.via <> 'inferred'
       WHERE m.from_self = false AND m.deleted_at IS NULL AND (r.to_name IS NOT NULL OR m.reply_to_id IS NOT NULL)
         AND coalesce(r.to_name, 'anonymous') <> coalesce(m.author_name, 'anonymous')
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
