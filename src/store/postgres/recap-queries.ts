/** The recap's queries in PostgreSQL: the same counts and order as ../recap-queries.ts (read it first). */
import { toAnswer } from '../messages.ts';
import { DAY_MS, foldAnswerGroups, foldMessageGroups, pagedByIds, type AnswerGroupRow, type MessageGroupRow, type RecapQueryRepository } from '../recap-queries.ts';
import type { Run } from './run.ts';
import { insightQueryRepository } from './insight-queries.ts';

/** Counted answers: not deleted, not inferred (src/domain/tally.ts). */
const ANSWERS = "FROM answers a JOIN messages m ON m.id = a.message_id WHERE a.session_id = $1 AND m.deleted_at IS NULL AND a.via <> 'inferred'";
/** SQLite's order: NULLs first. */
const CHAT_ORDER = 'm.posted_at NULLS FIRST, m.archive_index NULLS FIRST, m.id';
const MESSAGES = 'FROM messages m WHERE m.session_id = $1 AND m.from_self = false AND m.deleted_at IS NULL';

export function recapQueryRepository(run: Run): RecapQueryRepository {
  return {
    messageCounts: (sessionId, from) => run(async (db) => foldMessageGroups(await db.rows<MessageGroupRow>(
      `SELECT name, minute, count(*) AS messages, sum(moderator) AS moderator_messages, min(n) AS first FROM (
         SELECT coalesce(m.author_name, 'anonymous') AS name, m.is_moderator::int AS moderator, row_number() OVER (ORDER BY ${CHAT_ORDER}) AS n,
           CASE WHEN m.posted_at >= $2::timestamptz AND m.posted_at < $2::timestamptz + $3::float8 * interval '1 millisecond'
             THEN floor(extract(epoch FROM m.posted_at - $2::timestamptz) / 60)::int END AS minute
         ${MESSAGES}
       ) t GROUP BY name, minute`,
      [sessionId, from, DAY_MS],
    ))),
    answerCounts: (sessionId) => run(async (db) => foldAnswerGroups(await db.rows<AnswerGroupRow>(
      `SELECT a.question, m.author_name AS name, count(*) AS answers, sum(m.late::int) AS late ${ANSWERS} GROUP BY a.question, m.author_name`,
      [sessionId],
    ))),
    firstAnswerSince: (sessionId, question, since) => run(async (db) => (await db.one<{ first: Date | null }>(
      `SELECT min(m.posted_at) AS first ${ANSWERS} AND a.question = $2 AND m.posted_at >= $3`,
      [sessionId, question, since],
    ))?.first ?? null),
    answersTo: (sessionId, question) => pagedByIds(
      () => run(async (db) => (await db.rows<{ id: number }>(
        `SELECT a.message_id AS id ${ANSWERS} AND (a.question = $2 OR ($2::int IS NULL AND a.takeaway)) ORDER BY ${CHAT_ORDER}`,
        [sessionId, question === 'TA' ? null : question],
      )).map((r) => r.id)),
      (page) => run(async (db) => (await db.rows(
        `SELECT a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late
         ${ANSWERS.replace('a.session_id = $1', 'a.message_id = ANY($1::bigint[])')} AND (a.question = $2 OR ($2::int IS NULL AND a.takeaway))`,
        [page, question === 'TA' ? null : question],
      )).map((r) => toAnswer(r as never))),
      (a) => a.messageId,
    ),
    ...insightQueryRepository(run),
  };
}
